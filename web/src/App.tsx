import { Alert, Button, Center, Loader, Stack } from "@mantine/core";
import { RouterProvider } from "@tanstack/react-router";
import { router } from "./router.js";
import { LoginPage } from "./routes/login/LoginPage.js";
import { useSession } from "./session.js";
import { CurrentUserProvider } from "./user.js";

/** Asks the server who is signed in, then shows the sign-in page or the workstation's pages. */
export function App() {
  const session = useSession();
  if (session.isPending) {
    return (
      <Center h="100vh" aria-busy="true">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <Center h="100vh" p="md">
        <Stack maw={420}>
          <Alert color="red" title="Kilowatt is not answering" role="alert">
            {session.error.message}
          </Alert>
          <Button onClick={() => session.refetch()}>Try again</Button>
        </Stack>
      </Center>
    );
  }
  if (!session.data) return <LoginPage />;
  // Signed out on a deep link, the same address opens once the person has signed in.
  return (
    <CurrentUserProvider user={session.data.user}>
      <RouterProvider router={router} />
    </CurrentUserProvider>
  );
}
