import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../../api/client.js";
import {
  createUser,
  issueToken,
  listRoles,
  listUsers,
  type ManagedUser,
  type NewUser,
  type UserChange,
  updateUser,
} from "../../api/users.js";

const USERS = ["users"] as const;

/** Every user, for user administration. */
export const useUsers = () => useQuery({ queryKey: USERS, queryFn: ({ signal }) => listUsers(signal) });

/** The roles a user can be given, with what each allows. */
export const useRoles = () =>
  useQuery({ queryKey: ["roles"], queryFn: ({ signal }) => listRoles(signal), staleTime: Number.POSITIVE_INFINITY });

/** Keeps the list in step with one user as the server answered it (and so with its new version). */
function useStore() {
  const client = useQueryClient();
  return (user: ManagedUser) =>
    client.setQueryData<{ users: ManagedUser[] }>(USERS, (old) => {
      if (!old) return old;
      const known = old.users.some((u) => u.id === user.id);
      return { users: known ? old.users.map((u) => (u.id === user.id ? user : u)) : [...old.users, user] };
    });
}

export function useCreateUser() {
  const store = useStore();
  return useMutation({ mutationFn: (user: NewUser) => createUser(user), onSuccess: store });
}

/** Changes a user with the version the admin read; a 409 reloads the list so the admin sees the other change. */
export function useUpdateUser() {
  const store = useStore();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: UserChange }) => updateUser(id, change),
    onSuccess: store,
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) void client.invalidateQueries({ queryKey: USERS });
    },
  });
}

export const useIssueToken = () =>
  useMutation({ mutationFn: ({ id, name }: { id: number; name: string }) => issueToken(id, name) });

/** The API's per-field complaints (400 errors[]) by field name, for the form to show beside each field. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of err.problem.errors ?? []) out[e.field.replace(/^body\./, "")] ??= e.message;
  // A conflict names its one field (e.g. a username already taken) beside the detail.
  const field = err.problem.field;
  if (typeof field === "string" && err.problem.detail) out[field] ??= err.problem.detail;
  return out;
}

/** True for the refusal the server gives when someone else saved the same user first. */
export const isStale = (err: unknown) => err instanceof ApiError && err.status === 409;
