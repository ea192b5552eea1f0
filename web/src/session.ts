import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchSession, login, logout, type Session } from "./api/auth.js";

export const SESSION_KEY = ["session"] as const;

/** The current session (null: signed out), read once on load and kept until sign-in or sign-out changes it. */
export const useSession = () =>
  useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Number.POSITIVE_INFINITY, retry: false });

/** Signs in and makes the new session current. */
export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { username: string; password: string }) => login(input.username, input.password),
    onSuccess: (session) => client.setQueryData<Session | null>(SESSION_KEY, session),
  });
}

/** Signs out and forgets everything cached for the user. */
export function useLogout() {
  const client = useQueryClient();
  return useMutation({ mutationFn: logout, onSettled: () => signedOut(client) });
}

/** Drops every cached answer and shows the sign-in page (sign-out, or a session that ended on the server). */
export function signedOut(client: QueryClient) {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
  client.setQueryData<Session | null>(SESSION_KEY, null);
}
