import { ApiError, api, setCsrfToken } from "./client.js";

/** The signed-in user as the API shows it. */
export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  roles: string[];
  permissions: string[];
}

export interface Session {
  user: User;
  csrf_token: string | null;
}

/** The current session, or null when nobody is signed in. */
export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await api.get<Session>("/api/v1/auth/session");
    setCsrfToken(session.csrf_token);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/** Signs in; the server sets the session cookie and answers the CSRF token. */
export async function login(username: string, password: string): Promise<Session> {
  const session = await api.post<Session>("/api/v1/auth/login", { username, password });
  setCsrfToken(session.csrf_token);
  return session;
}

/** Signs out (an already-ended session counts as signed out). */
export async function logout(): Promise<void> {
  try {
    await api.post<void>("/api/v1/auth/logout");
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  } finally {
    setCsrfToken(null);
  }
}
