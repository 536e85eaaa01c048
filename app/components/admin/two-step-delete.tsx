// The admin tables' delete, in two steps: "Delete…" turns into the delete itself and "Keep". It
// posts through the row's fetcher, so the row shows what the action answered.
import type { useFetcher } from "@remix-run/react";
import { useState, type ReactNode } from "react";
import type { ActionResult } from "~/features/admin/action-result";
import { Button } from "../ui/button";

export function TwoStepDelete({
  fetcher,
  id,
  label,
  children,
}: {
  fetcher: ReturnType<typeof useFetcher<ActionResult>>;
  id: number;
  /** The row's name as plain text, for the first button's accessible name. */
  label: string;
  /** The row's name as the second button shows it. */
  children: ReactNode;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${label}…`}>
        Delete…
      </Button>
    );
  }
  return (
    <fetcher.Form method="post" className="flex justify-end gap-2">
      <input type="hidden" name="intent" value="delete" />
      <input type="hidden" name="id" value={id} />
      <Button type="submit" size="sm" variant="destructive" disabled={fetcher.state !== "idle"}>
        Delete {children}
      </Button>
      <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(false)}>
        Keep
      </Button>
    </fetcher.Form>
  );
}
