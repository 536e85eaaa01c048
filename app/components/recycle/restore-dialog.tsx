// Restoring from the recycle bin: what to restore (a deletion, or keys chosen in it) and the two
// choices a restore can face: keys written again since the delete (kept unless overwritten), and
// copies whose expiry has passed (reported unless given a new expiry).
import type { useFetcher } from "@remix-run/react";
import type { BinAnswer } from "~/features/recycle/bin-action.server";
import { formatCount } from "~/utils/format";
import { Button } from "../ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle } from "../ui/dialog";
import { Select } from "../ui/select";

export interface RestoreTarget {
  deletion: string;
  description: string;
  /** Chosen keys; empty: every key the deletion holds. */
  names: string[];
  count: number;
}

const EXPIRED_CHOICES = [
  { value: "skip", label: "Report them, restore nothing" },
  { value: "never", label: "Restore them with no expiry" },
  { value: "3600", label: "Restore them, expiring in 1 hour" },
  { value: "86400", label: "Restore them, expiring in 1 day" },
  { value: "604800", label: "Restore them, expiring in 7 days" },
];

export function RestoreDialog({
  target,
  fetcher,
  inlineMax,
  onClose,
}: {
  target: RestoreTarget | null;
  fetcher: ReturnType<typeof useFetcher<BinAnswer>>;
  /** More keys than this restore as a job. */
  inlineMax: number;
  onClose: () => void;
}) {
  const what = target ? `${formatCount(target.count)} ${target.count === 1 ? "key" : "keys"}` : "";
  return (
    <Dialog open={target !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent>
        <DialogTitle>Restore {what}?</DialogTitle>
        <DialogDescription>
          {target?.names.length ? "The chosen keys of " : "Every key still held of "}
          {target?.description}.{" "}
          {target && target.count > inlineMax ? "A restore job writes them back, with progress you can pause or cancel." : null}
        </DialogDescription>
        {target ? (
          <fetcher.Form method="post" className="grid gap-4" onSubmit={onClose}>
            <input type="hidden" name="intent" value="restore" />
            <input type="hidden" name="deletion" value={target.deletion} />
            {target.names.map((name) => (
              <input key={name} type="hidden" name="name" value={name} />
            ))}
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="overwrite" className="mt-0.5" />
              <span>
                Overwrite keys written since the delete
                <span className="block text-xs text-muted-foreground">Otherwise they are kept as they are now and reported.</span>
              </span>
            </label>
            <label className="grid gap-1 text-sm">
              <span>Copies whose expiry has passed</span>
              <Select name="expired" defaultValue="skip">
                {EXPIRED_CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </Select>
            </label>
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button type="button" variant="ghost">
                  Cancel
                </Button>
              </DialogClose>
              <Button type="submit">Restore {what}</Button>
            </div>
          </fetcher.Form>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
