// Create a key, or edit one's value, metadata and expiry. Checked in the browser with the same
// schema the action uses, so most mistakes are explained before anything is sent.
import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { fieldErrors, putKeySchema } from "~/kv/key-forms";
import { formatAbsolute } from "~/utils/format";
import { VisibleText } from "./key-name";
import { Button } from "./ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "./ui/dialog";
import { Input } from "./ui/input";
import { Textarea } from "./ui/textarea";

export interface KeyFormInitial {
  name: string;
  value: string;
  metadata: string;
  expiration: number | null;
}

export type PutResult = { ok: true; row: { name: string } } | { ok: false; error: string; field?: string; fields?: Record<string, string> };

export function KeyFormDialog({
  open,
  onOpenChange,
  mode,
  action,
  initial,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  mode: "create" | "edit";
  /** The route whose action writes keys. */
  action: string;
  initial?: KeyFormInitial;
}) {
  const fetcher = useFetcher<PutResult>();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [expiry, setExpiry] = useState(mode === "edit" ? (initial?.expiration ? "keep" : "none") : "none");
  const ids = useId();
  const pending = fetcher.state !== "idle";
  const result = fetcher.data;

  // A saved key closes the dialog once per answer (the page shows the row and says "Saved").
  const closedFor = useRef<PutResult | undefined>(undefined);
  useEffect(() => {
    if (fetcher.state !== "idle" || !result?.ok || closedFor.current === result) return;
    closedFor.current = result;
    onOpenChange(false);
  }, [result, fetcher.state, onOpenChange]);

  const serverErrors: Record<string, string> =
    result && !result.ok ? { ...(result.fields ?? {}), [result.field ?? "form"]: result.error } : {};
  const errors = { ...serverErrors, ...clientErrors };
  const describedBy = (field: string) => (errors[field] ? `${ids}-${field}-error` : undefined);
  const fieldError = (field: string) =>
    errors[field] ? (
      <p id={`${ids}-${field}-error`} className="break-words text-xs text-destructive">
        <VisibleText text={errors[field]} />
      </p>
    ) : null;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent aria-describedby={`${ids}-desc`}>
        <DialogTitle>{mode === "create" ? "New key" : "Edit key"}</DialogTitle>
        <DialogDescription id={`${ids}-desc`}>
          {mode === "create" ? "Write a new key to this namespace." : "Saving replaces the value, metadata and expiry."} Workers KV can take
          up to a minute to show the change everywhere; kvdeck shows it at once.
        </DialogDescription>
        <fetcher.Form
          ref={formRef}
          method="post"
          action={action}
          className="grid gap-3"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            // The browser knows its time zone: send the expiry as epoch seconds.
            const atLocal = form.get("atLocal");
            form.delete("atLocal");
            if (typeof atLocal === "string" && atLocal) form.set("at", String(Math.floor(new Date(atLocal).getTime() / 1000)));
            const parsed = putKeySchema.safeParse(Object.fromEntries(form));
            if (!parsed.success) {
              setClientErrors(fieldErrors(parsed.error));
              return;
            }
            setClientErrors({});
            fetcher.submit(form, { method: "post", action });
          }}
        >
          <input type="hidden" name="intent" value="put" />
          <input type="hidden" name="mode" value={mode} />
          {initial?.expiration ? <input type="hidden" name="currentExpiration" value={initial.expiration} /> : null}
          <label className="grid gap-1 text-sm">
            <span>Key name</span>
            <Input
              name="name"
              defaultValue={initial?.name}
              readOnly={mode === "edit"}
              required
              className="font-mono"
              aria-invalid={Boolean(errors.name)}
              aria-describedby={describedBy("name")}
              autoComplete="off"
              spellCheck={false}
            />
            {fieldError("name")}
          </label>
          <label className="grid gap-1 text-sm">
            <span>Value</span>
            <Textarea
              name="value"
              defaultValue={initial?.value}
              rows={8}
              className="font-mono text-xs"
              aria-invalid={Boolean(errors.value)}
              aria-describedby={describedBy("value")}
              spellCheck={false}
            />
            {fieldError("value")}
          </label>
          <label className="grid gap-1 text-sm">
            <span>Metadata (JSON, optional, at most 1024 bytes)</span>
            <Textarea
              name="metadata"
              defaultValue={initial?.metadata}
              rows={3}
              className="font-mono text-xs"
              placeholder='{"cache-tag": "blog"}'
              aria-invalid={Boolean(errors.metadata)}
              aria-describedby={describedBy("metadata")}
              spellCheck={false}
            />
            {fieldError("metadata")}
          </label>
          <fieldset className="grid gap-2 text-sm" aria-describedby={describedBy("expiry") ?? describedBy("ttl") ?? describedBy("at")}>
            <legend className="mb-1">Expiry</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-1">
              {(mode === "edit" && initial?.expiration ? (["keep", "none", "ttl", "at"] as const) : (["none", "ttl", "at"] as const)).map(
                (option) => (
                  <label key={option} className="inline-flex items-center gap-1.5">
                    <input type="radio" name="expiry" value={option} checked={expiry === option} onChange={() => setExpiry(option)} />
                    {
                      {
                        keep: `Keep (${initial?.expiration ? formatAbsolute(initial.expiration) : ""})`,
                        none: "Never",
                        ttl: "After",
                        at: "At",
                      }[option]
                    }
                  </label>
                ),
              )}
            </div>
            {expiry === "ttl" ? (
              <label className="flex items-center gap-2">
                <Input
                  name="ttl"
                  type="number"
                  min={60}
                  defaultValue={3600}
                  className="w-32"
                  aria-label="Expiry TTL in seconds"
                  aria-invalid={Boolean(errors.ttl)}
                />
                seconds
              </label>
            ) : null}
            {expiry === "at" ? (
              <Input
                name="atLocal"
                type="datetime-local"
                aria-label="Expiry date and time"
                aria-invalid={Boolean(errors.at)}
                className="w-64"
              />
            ) : null}
            {fieldError("expiry") ?? fieldError("ttl") ?? fieldError("at")}
          </fieldset>
          {errors.form ? (
            <p role="alert" className="rounded-md bg-destructive/10 p-2 text-sm text-destructive">
              {errors.form}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : mode === "create" ? "Create key" : "Save changes"}
            </Button>
          </div>
        </fetcher.Form>
      </DialogContent>
    </Dialog>
  );
}
