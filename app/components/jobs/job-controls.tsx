// A job's steering buttons (pause, resume, cancel; retry a failed one from its checkpoint), for
// editors, posted to the job page's action.
import { useFetcher } from "@remix-run/react";
import { canCancel, canPause, canResume, isFinished, type JobSnapshot } from "~/jobs/types";
import { VisibleText } from "../key-name";
import { Button } from "../ui/button";

export function JobControls({ job }: { job: JobSnapshot }) {
  const steer = useFetcher<{ ok: boolean; error?: string }>();
  if (job.state === "failed") {
    return (
      <steer.Form method="post">
        <Button name="intent" value="resume" variant="outline">
          Retry from checkpoint
        </Button>
      </steer.Form>
    );
  }
  if (isFinished(job.state)) return null;
  return (
    <steer.Form method="post" className="flex flex-wrap gap-2">
      {canPause(job.state) && !job.pauseRequested ? (
        <Button name="intent" value="pause" variant="outline">
          Pause
        </Button>
      ) : null}
      {canResume(job.state) ? (
        <Button name="intent" value="resume" variant="outline">
          Resume
        </Button>
      ) : null}
      {canCancel(job.state) ? (
        <Button name="intent" value="cancel" variant="destructive">
          Cancel job
        </Button>
      ) : null}
      {steer.data && !steer.data.ok ? (
        <p role="alert" className="text-sm text-destructive">
          <VisibleText text={steer.data.error ?? ""} />
        </p>
      ) : null}
    </steer.Form>
  );
}
