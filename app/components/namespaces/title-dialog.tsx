// The dialog that names a namespace: a new one's title, or an existing one's new title.
import { useFetcher } from "@remix-run/react";
import { useEffect } from "react";
import { useToast } from "~/components/toaster";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";

export function TitleDialog({
  open,
  onOpenChange,
  heading,
  submitLabel,
  intent,
  id,
  initial,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  heading: string;
  submitLabel: string;
  intent: "create" | "rename";
  id?: string;
  initial?: string;
}) {
  const fetcher = useFetcher<{ ok: boolean; error?: string }>();
  const toast = useToast();
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      toast({ variant: "success", title: intent === "create" ? "Namespace created" : "Namespace renamed" });
      onOpenChange(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new answer closes the dialog, not a new onOpenChange
  }, [fetcher.state, fetcher.data]);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogTitle>{heading}</DialogTitle>
        <DialogDescription>Titles are unique within the account.</DialogDescription>
        <fetcher.Form method="post" className="grid gap-3">
          <input type="hidden" name="intent" value={intent} />
          {id ? <input type="hidden" name="id" value={id} /> : null}
          <label className="grid gap-1 text-sm">
            <span>Title</span>
            <Input
              name="title"
              defaultValue={initial}
              required
              maxLength={512}
              autoComplete="off"
              aria-invalid={Boolean(fetcher.data && !fetcher.data.ok)}
            />
          </label>
          {fetcher.data && !fetcher.data.ok ? (
            <p role="alert" className="text-sm text-destructive">
              {fetcher.data.error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={fetcher.state !== "idle"}>
              {submitLabel}
            </Button>
          </div>
        </fetcher.Form>
      </DialogContent>
    </Dialog>
  );
}
