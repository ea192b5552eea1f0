import { api } from "./client.js";

/** A user as user administration sees it. */
export interface ManagedUser {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  roles: string[];
  permissions: string[];
  active: boolean;
  /** Set after repeated failed sign-ins; cleared by an unlock, a new password or the next good sign-in. */
  locked_until: string | null;
  /** The lockout is in force now (locked_until may be past: then the user can sign in again). */
  locked: boolean;
  version: number;
}

export interface Role {
  name: string;
  description: string;
  permissions: string[];
}

export interface NewUser {
  username: string;
  display_name: string;
  email: string | null;
  password: string;
  roles: string[];
}

/** What an edit may change; `version` is the one the admin read. */
export interface UserChange {
  version: number;
  display_name?: string;
  email?: string | null;
  roles?: string[];
  active?: boolean;
  password?: string;
  unlock?: boolean;
}

/** An API token as issued: the secret is in `token` and is never shown again. */
export interface IssuedToken {
  id: number;
  token: string;
  username: string;
  name: string;
}

export const listUsers = (signal?: AbortSignal) => api.get<{ users: ManagedUser[] }>("/api/v1/users", { signal });
export const listRoles = (signal?: AbortSignal) => api.get<{ roles: Role[] }>("/api/v1/roles", { signal });
export const createUser = (user: NewUser) => api.post<ManagedUser>("/api/v1/users", user);
export const updateUser = (id: number, change: UserChange) => api.patch<ManagedUser>(`/api/v1/users/${id}`, change);
export const issueToken = (id: number, name: string) => api.post<IssuedToken>(`/api/v1/users/${id}/tokens`, { name });
