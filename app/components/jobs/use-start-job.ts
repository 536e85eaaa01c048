// Starting a job through the namespace's jobs action (app/features/jobs/start.server.ts): a
// fetcher, the first snapshot handed to `onStarted`, and the refusal (a message, and Conform's
// field errors when the form did not validate).
import type { SubmissionResult } from "@conform-to/react";
import { useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { JobSnapshot } from "~/jobs/types";

export type StartJobAnswer = { ok: true; job: JobSnapshot } | { ok: false; error: string; reply?: SubmissionResult<string[]> };

export function useStartJob(action: string, onStarted: (job: JobSnapshot) => void) {
  const fetcher = useFetcher<StartJobAnswer>();
  const handled = useRef<StartJobAnswer | undefined>(undefined);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && fetcher.data !== handled.current) {
      handled.current = fetcher.data;
      if (fetcher.data.ok) onStarted(fetcher.data.job);
    }
  }, [fetcher.state, fetcher.data, onStarted]);
  const refusal = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  return {
    /** For a dialog's form: `<starter.Form action={action}>`. */
    Form: fetcher.Form,
    /** Starts a job from fields a button sets (the names jobForm reads: app/jobs/payloads.ts). */
    start: (fields: [string, string][]) => {
      const form = new FormData();
      for (const [name, value] of fields) form.append(name, value);
      fetcher.submit(form, { method: "post", action });
    },
    pending: fetcher.state !== "idle",
    error: refusal?.error ?? null,
    reply: refusal?.reply,
  };
}
