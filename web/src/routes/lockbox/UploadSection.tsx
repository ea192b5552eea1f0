import { Alert, Button, FileInput, Group, List, Progress, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { useSession } from "../../session.js";
import { money } from "../account/money.js";
import { fetchLockboxFile, type LockboxFile, type UploadAnswer, uploadLockboxFile } from "./api.js";
import { LOCKBOX_KEY } from "./keys.js";

/** A problem with a line of the file, as the upload's 400 lists it. */
interface LineError {
  line?: number;
  column?: string;
  field?: string;
  message: string;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** What an import did, in one sentence. */
export const outcome = (f: LockboxFile) =>
  `Posted ${count(f.posted_count, "payment")} for ${money(f.posted_cents)}; ` +
  `${count(f.suspense_count, "payment")} to suspense for ${money(f.suspense_cents)}.`;

/** The import's progress, polled until the file is imported; then what it did. */
function ImportProgress({ fileId, onDone }: { fileId: number; onDone: (f: LockboxFile) => void }) {
  const file = useQuery({
    queryKey: [...LOCKBOX_KEY, "file", fileId],
    queryFn: ({ signal }) => fetchLockboxFile(fileId, signal),
    refetchInterval: (q) => (q.state.data?.status === "imported" ? false : 400),
  });
  const data = file.data;
  const finished = data?.status === "imported";
  const told = useRef(false);
  useEffect(() => {
    if (finished && data && !told.current) {
      told.current = true;
      onDone(data);
    }
  }, [finished, data, onDone]);
  if (file.isError) {
    return (
      <Alert color="red" role="alert" title="Progress is not available">
        {file.error.message}
      </Alert>
    );
  }
  const done = data ? (finished ? data.item_count : (data.done_count ?? data.posted_count + data.suspense_count)) : 0;
  const total = data?.item_count ?? 0;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <Stack gap={6}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {data ? `${data.file_name}: ${finished ? "imported" : "importing"}` : "Starting the import"}
        </Text>
        <Text size="sm" data-testid="lockbox-progress-count">
          {count(done, "item")} of {total.toLocaleString("en-US")}
        </Text>
      </Group>
      <Progress value={percent} aria-label="Import progress" size="lg" animated={!finished} />
      {finished && data && (
        <Alert color="green" title="Imported" role="status" data-testid="lockbox-outcome">
          {outcome(data)}
        </Alert>
      )}
    </Stack>
  );
}

/** The line-numbered problems of a refused file. */
function Refused({ error }: { error: ApiError }) {
  const lines = (error.problem.errors ?? []) as LineError[];
  const total = typeof error.problem.error_count === "number" ? error.problem.error_count : lines.length;
  return (
    <Alert color="red" role="alert" title="Not imported: nothing was posted" data-testid="lockbox-refused">
      <Text size="sm">{error.message}</Text>
      {lines.length > 0 && (
        <List size="sm" mt={4} aria-label="Problems in the file">
          {lines.map((e) => (
            <List.Item key={`${e.line}-${e.column ?? e.field}-${e.message}`}>
              {e.line !== undefined ? `Line ${e.line}` : (e.field ?? "File")}
              {e.column ? ` (${e.column})` : ""}: {e.message}
            </List.Item>
          ))}
        </List>
      )}
      {total > lines.length && <Text size="sm">…and {count(total - lines.length, "more problem")}.</Text>}
    </Alert>
  );
}

/**
 * Upload a lockbox file: pick it (Enter on the field opens the file chooser), Import, then a progress bar polls the
 * file's counters until it is imported and says what it posted and what went to suspense.
 */
export function UploadSection() {
  const session = useSession();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [answer, setAnswer] = useState<UploadAnswer | null>(null);
  const upload = useMutation({
    mutationFn: (f: File) => uploadLockboxFile(f, session.data?.csrf_token ?? null),
    onSuccess: (a) => {
      setAnswer(a);
      void client.invalidateQueries({ queryKey: [...LOCKBOX_KEY, "files"] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file || upload.isPending) return;
    setAnswer(null);
    upload.mutate(file);
  };
  // The files list and the suspense queue reload once the import is done.
  const onDone = useCallback(() => void client.invalidateQueries({ queryKey: LOCKBOX_KEY }), [client]);
  const error = upload.error;
  return (
    <Stack gap="sm" component="section" aria-labelledby="lockbox-upload-title">
      <Title order={2} size="h4" id="lockbox-upload-title">
        Import a lockbox file
      </Title>
      <form onSubmit={submit} aria-label="Import a lockbox file">
        <Group align="flex-end" gap="sm">
          <FileInput
            label="Lockbox file"
            description="The bank's CSV or BAI2 file"
            placeholder="Choose a file"
            // Mantine's placeholder grey is below 4.5:1 on white; the workstation's secondary grey meets AA.
            styles={{ placeholder: { color: "var(--mantine-color-gray-7)" } }}
            accept=".csv,.txt,.bai,.bai2,text/csv,text/plain"
            value={file}
            onChange={(f) => {
              setFile(f);
              setAnswer(null);
              upload.reset();
            }}
            clearable
            clearButtonProps={{ "aria-label": "Clear the file chosen" }}
            w={360}
            data-lockbox-file
          />
          <Button type="submit" disabled={!file} loading={upload.isPending}>
            Import
          </Button>
        </Group>
      </form>
      {error instanceof ApiError && error.status === 400 && <Refused error={error} />}
      {error && !(error instanceof ApiError && error.status === 400) && (
        <Alert color="red" role="alert" title="Not imported">
          {error.message}
        </Alert>
      )}
      {answer?.status === 200 && (
        <Alert color="yellow" role="status" title="Already imported: nothing posted" data-testid="lockbox-duplicate">
          {answer.file.file_name} was imported on {answer.file.business_date}. {outcome(answer.file)}
        </Alert>
      )}
      {answer?.status === 202 && <ImportProgress key={answer.file.id} fileId={answer.file.id} onDone={onDone} />}
    </Stack>
  );
}
