import { Container, Divider, Stack, Text } from "@mantine/core";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { FilesTable } from "./FilesTable.js";
import { focusQueue, SuspenseQueue } from "./SuspenseQueue.js";
import { UploadSection } from "./UploadSection.js";

/** Puts focus on the file field (its button opens the file chooser with Enter or Space). */
const focusUpload = () => document.querySelector<HTMLElement>("[data-lockbox-file]")?.focus();

function Lockbox() {
  useCommands([
    {
      id: "lockbox-upload",
      label: "Import a lockbox file",
      description: "Choose the bank's file and import it",
      group: "This page",
      shortcut: "u",
      keywords: ["upload", "bank", "file"],
      run: focusUpload,
    },
    {
      id: "lockbox-queue",
      label: "Work the suspense queue",
      description: "Select the oldest item in payment suspense",
      group: "This page",
      shortcut: "q",
      keywords: ["suspense", "unmatched"],
      run: focusQueue,
    },
  ]);
  return (
    <Container size="xl" px={0}>
      <Stack gap="lg">
        <PageTitle>Lockbox</PageTitle>
        <Text size="sm" c="gray.7">
          Import the bank's lockbox file: payments whose account number matches post at once; the rest wait in payment
          suspense until someone applies them to an account or returns them to the sender.
        </Text>
        <UploadSection />
        <Divider />
        <SuspenseQueue />
        <Divider />
        <FilesTable />
      </Stack>
    </Container>
  );
}

/** The lockbox page: import the bank's file with a progress bar, work the payment suspense queue, the files imported. */
export function LockboxPage() {
  return useCan("lockbox.import") ? <Lockbox /> : <NoAccess what="Lockbox" />;
}
