// What a failed upstream call says on a key's row, in a toast and in the audit log.
import { redact } from "~/utils/redact.server";
import { UpstreamError } from "./errors";

/** Shown to every role, so redacted. */
export function errorMessage(error: unknown): string {
  if (error instanceof UpstreamError) return redact(error.message);
  return redact(error instanceof Error ? error.message : String(error));
}
