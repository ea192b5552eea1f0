import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { useLogin } from "../../session.js";
import { formatWait } from "./wait.js";

/** What to tell the person at the keyboard when sign-in is refused. */
function refusal(err: Error): string {
  if (!(err instanceof ApiError)) return err.message;
  if (err.status === 401) return "The username or password is not right.";
  if (err.status === 429) {
    const wait = err.retryAfter ? ` Try again in ${formatWait(err.retryAfter)}.` : " Try again later.";
    return `Too many sign-in attempts.${wait}`;
  }
  return err.message;
}

/** The sign-in page: username, password, Enter submits. */
export function LoginPage() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [tried, setTried] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const signIn = useLogin();

  useEffect(() => first.current?.focus(), []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!username.trim() || !password || signIn.isPending) return;
    signIn.mutate({ username: username.trim(), password });
  };

  return (
    <Center component="main" mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400}>
        <form onSubmit={submit} aria-labelledby="login-title" noValidate>
          <Stack gap="md">
            <div>
              <Title order={1} id="login-title" size="h2">
                Kilowatt
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to the customer information system
              </Text>
            </div>
            {signIn.isError && (
              <Alert color="red" role="alert" title="Not signed in">
                {refusal(signIn.error)}
              </Alert>
            )}
            <TextInput
              ref={first}
              label="Username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              error={tried && !username.trim() ? "Enter your username" : undefined}
              onChange={(e) => setUsername(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              error={tried && !password ? "Enter your password" : undefined}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={signIn.isPending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
