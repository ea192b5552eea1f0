import { createContext, type ReactNode, useContext } from "react";
import type { User } from "./api/auth.js";

const CurrentUser = createContext<User | null>(null);

/** Makes the signed-in user available to every page of the workstation. */
export function CurrentUserProvider({ user, children }: { user: User; children: ReactNode }) {
  return <CurrentUser.Provider value={user}>{children}</CurrentUser.Provider>;
}

/** The signed-in user (only pages behind sign-in call this). */
export function useCurrentUser(): User {
  const user = useContext(CurrentUser);
  if (!user) throw new Error("useCurrentUser outside the signed-in workstation");
  return user;
}

/** Whether the signed-in user's roles grant a permission; the server checks again on every call. */
export function useCan(permission: string): boolean {
  return useCurrentUser().permissions.includes(permission);
}
