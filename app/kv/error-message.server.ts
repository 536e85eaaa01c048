// What a failed upstream call says on a key's row, in a toast and in the audit log.
import { redact } from "~/utils/redact.server";

/** Shown to every role, so redacted. */
export function errorMessage(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}
