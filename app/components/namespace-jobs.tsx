// Long jobs started from a namespace's page: "select all N matching" (a dry run, then a purge of
// the same rule), export, import, copy/move and bulk expiry, and the banner of jobs running here.
import { Link, useFetcher, useNavigate } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { isFinished, type DryRunResult, type JobKind, type JobSnapshot } from "~/jobs/types";
import { escapeInvisibles, formatCount } from "~/utils/format";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "./confirm-delete-dialog";
import { JobProgressBar, KIND_LABELS } from "./job-progress";
import { KeyName, VisibleText } from "./key-name";
import { useToast } from "./toaster";
import { Button } from "./ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "./ui/dialog";
import { Input } from "./ui/input";
import { useLiveJob } from "./use-live-job";

type StartResult = { ok: true; job: JobSnapshot } | { ok: false; error: string };

/** Starts a job through the namespace's jobs action; `onStarted` gets the first snapshot. */
function useStartJob(action: string, onStarted: (job: JobSnapshot) => void) {
  const fetcher = useFetcher<StartResult>();
  const handled = useRef<StartResult | undefined>(undefined);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && fetcher.data !== handled.current) {
      handled.current = fetcher.data;
      if (fetcher.data.ok) onStarted(fetcher.data.job);
    }
  }, [fetcher.state, fetcher.data, onStarted]);
  const start = (kind: JobKind, payload: unknown, options: { dryRun?: boolean; totalEstimate?: number } = {}) => {
    const form = new FormData();
    form.set("kind", kind);
    form.set("payload", JSON.stringify(payload));
    if (options.dryRun) form.set("dryRun", "1");
    if (options.totalEstimate !== undefined) form.set("totalEstimate", String(options.totalEstimate));
    fetcher.submit(form, { method: "post", action });
  };
  const upload = (form: FormData) => fetcher.submit(form, { method: "post", action, encType: "multipart/form-data" });
  return { start, upload, pending: fetcher.state !== "idle", error: fetcher.data && !fetcher.data.ok ? fetcher.data.error : null };
}

/** "Select all N matching": counts with a dry run, then offers to purge exactly that rule. */
export function SelectAllMatching({ action, rule, namespaceTitle }: { action: string; rule: KeyRule; namespaceTitle: string }) {
  const navigate = useNavigate();
  const [counting, setCounting] = useState<JobSnapshot | null>(null);
  const [counted, setCounted] = useState<DryRunResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const dryRun = useStartJob(action, (job) => setCounting(job));
  const purge = useStartJob(action, (job) => navigate(`/jobs/${job.id}`));
  const { job } = useLiveJob(counting, {
    onEnd: (finished) => {
      if (finished.state === "succeeded") setCounted((finished.result as { dryRun: DryRunResult }).dryRun);
      setCounting(null);
    },
  });
  const what = describeRule(rule);

  if (counted) {
    const n = counted.matched;
    return (
      <div className="flex flex-wrap items-center gap-2 text-sm text-foreground" role="group" aria-label="All matching keys">
        <span>
          All <strong>{formatCount(n)}</strong> keys matching <VisibleText text={what} /> are selected.
        </span>
        <Button size="sm" variant="destructive" disabled={n === 0 || purge.pending} onClick={() => setConfirming(true)}>
          Delete {formatCount(n)} {n === 1 ? "key" : "keys"}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setCounted(null)}>
          Clear selection
        </Button>
        {purge.error ? (
          <span role="alert" className="text-destructive">
            <VisibleText text={purge.error} />
          </span>
        ) : null}
        <ConfirmDeleteDialog
          open={confirming}
          onOpenChange={setConfirming}
          title={`Delete ${formatCount(n)} keys from ${namespaceTitle}?`}
          description={
            <>
              <p>
                Every key matching <VisibleText text={what} /> is deleted by a background job you can pause or cancel. Keys created after
                the count that match are deleted too. This cannot be undone.
              </p>
              <p className="mt-2">
                About {formatCount(counted.estimate.requests)} requests, at least {Math.ceil(counted.estimate.seconds)} s under the request
                budget.
              </p>
              {counted.sample.length ? (
                <ul className="mt-2 max-h-24 overflow-auto font-mono text-xs">
                  {counted.sample.slice(0, 5).map((k) => (
                    <li key={k} className="flex min-w-0">
                      <KeyName name={k} truncate="middle" />
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          }
          actionLabel={`Delete ${formatCount(n)} ${n === 1 ? "key" : "keys"}`}
          confirmText={n >= TYPE_TO_CONFIRM_FROM ? String(n) : undefined}
          onConfirm={() => {
            setConfirming(false);
            purge.start("purge", { rule }, { totalEstimate: n });
          }}
        />
      </div>
    );
  }
  if (job) {
    return (
      <div className="flex items-center gap-2 text-sm" role="status">
        Counting keys matching <VisibleText text={what} />: {formatCount(job.counters.matched)} so far ({formatCount(job.counters.scanned)}{" "}
        scanned)…
      </div>
    );
  }
  return (
    <>
      <Button size="sm" variant="outline" disabled={dryRun.pending} onClick={() => dryRun.start("purge", { rule }, { dryRun: true })}>
        Select all matching
      </Button>
      {dryRun.error ? (
        <span role="alert" className="text-sm text-destructive">
          <VisibleText text={dryRun.error} />
        </span>
      ) : null}
    </>
  );
}

/** Jobs people started on this namespace that have not finished (dry runs aside), with live progress. */
export function ActiveJobsBanner({ jobs }: { jobs: JobSnapshot[] }) {
  if (jobs.length === 0) return null;
  const { connectionId, namespaceId } = jobs[0];
  return (
    <div className="border-b bg-muted/40">
      <ul aria-label="Jobs running on this namespace" className="divide-y">
        {jobs.map((job) => (
          <ActiveJob key={job.id} initial={job} />
        ))}
      </ul>
      <p className="px-4 pb-2 text-xs">
        <Link to={`/jobs?connection=${connectionId}&namespace=${encodeURIComponent(namespaceId)}`} className="text-primary hover:underline">
          All jobs on this namespace
        </Link>
      </p>
    </div>
  );
}

function ActiveJob({ initial }: { initial: JobSnapshot }) {
  const { job } = useLiveJob(initial);
  if (!job || (isFinished(job.state) && job.state !== "failed")) return null;
  return (
    <li className="flex flex-wrap items-center gap-3 px-4 py-2 text-sm">
      <Link to={`/jobs/${job.id}`} className="font-medium text-primary hover:underline">
        {KIND_LABELS[job.kind]}
      </Link>
      <span className="text-muted-foreground">{job.state}</span>
      <div className="w-72">
        <JobProgressBar job={job} showText />
      </div>
    </li>
  );
}

type DialogKind = "export" | "import" | "copy" | "bulk-expiry";

/** The buttons that open the job dialogs, and the dialogs. */
export function NamespaceJobActions({
  action,
  rule,
  namespaceId,
  connectionId,
  canEdit,
}: {
  action: string;
  rule: KeyRule;
  namespaceId: string;
  connectionId: number;
  canEdit: boolean;
}) {
  const namespaceList = useFetcher<{ namespaces: { id: string; title: string }[] }>();
  const namespaces = namespaceList.data?.namespaces ?? [];
  const navigate = useNavigate();
  const toast = useToast();
  const [open, setOpen] = useState<DialogKind | null>(null);
  const onStarted = (job: JobSnapshot) => {
    setOpen(null);
    toast({ variant: "success", title: `${KIND_LABELS[job.kind]} started` });
    navigate(`/jobs/${job.id}`);
  };
  const starter = useStartJob(action, onStarted);
  const scope = describeRule(rule);
  const filtered = scope !== "every key";
  const close = (next: boolean) => !next && setOpen(null);

  return (
    <>
      <Button size="sm" variant="outline" onClick={() => setOpen("export")}>
        Export
      </Button>
      {canEdit ? (
        <>
          <Button size="sm" variant="outline" onClick={() => setOpen("import")}>
            Import
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => {
              setOpen("copy");
              namespaceList.load(`/accounts/${connectionId}?index`);
            }}
          >
            Copy / move
          </Button>
          <Button size="sm" variant="outline" onClick={() => setOpen("bulk-expiry")}>
            Set expiry
          </Button>
        </>
      ) : null}

      <JobDialog
        open={open === "export"}
        onOpenChange={close}
        title="Export keys"
        description={`Export ${scope} to a file you can download.`}
        error={starter.error}
      >
        <form
          className="grid gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            starter.start("export", {
              ...(filtered ? { rule } : {}),
              format: form.get("format"),
              values: form.get("values") === "on",
            });
          }}
        >
          <Choice
            name="format"
            label="Format"
            options={[
              ["ndjson", "NDJSON (one key per line)"],
              ["json", "wrangler bulk JSON"],
            ]}
          />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="values" defaultChecked /> Include values (one bulk read per 100 keys)
          </label>
          <Submit pending={starter.pending}>Start export</Submit>
        </form>
      </JobDialog>

      <JobDialog
        open={open === "import"}
        onOpenChange={close}
        title="Import keys"
        description="Upload an NDJSON or wrangler bulk JSON file. It is checked in full first; nothing is written if any line is invalid."
        error={starter.error}
      >
        <form
          className="grid gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            form.set("kind", "import");
            starter.upload(form);
          }}
        >
          <label className="grid gap-1 text-sm">
            <span>File</span>
            <Input type="file" name="file" required accept=".ndjson,.jsonl,.json,application/json,application/x-ndjson" />
          </label>
          <Choice
            name="format"
            label="Format"
            options={[
              ["ndjson", "NDJSON"],
              ["json", "wrangler bulk JSON"],
            ]}
          />
          <Choice
            name="onCollision"
            label="When a key already exists"
            options={[
              ["fail", "Stop before writing anything"],
              ["skip", "Keep the existing key"],
              ["overwrite", "Overwrite it"],
            ]}
          />
          <Submit pending={starter.pending}>Upload and import</Submit>
        </form>
      </JobDialog>

      <JobDialog
        open={open === "copy"}
        onOpenChange={close}
        title="Copy or move keys"
        description={`Copy ${scope} to another namespace. A move deletes only keys whose copy was verified.`}
        error={starter.error}
      >
        <form
          className="grid gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            starter.start(form.get("mode") === "move" ? "move" : "copy", {
              ...(filtered ? { rule } : {}),
              targetNamespaceId: form.get("target"),
              onCollision: form.get("onCollision"),
            });
          }}
        >
          <label className="grid gap-1 text-sm">
            <span>Target namespace</span>
            <select name="target" required className="h-9 rounded-md border border-input bg-background px-2 text-sm">
              {namespaces
                .filter((n) => n.id !== namespaceId)
                .map((n) => (
                  <option key={n.id} value={n.id}>
                    {escapeInvisibles(n.title)}
                  </option>
                ))}
            </select>
          </label>
          <Choice
            name="mode"
            label="Mode"
            options={[
              ["copy", "Copy"],
              ["move", "Move (delete from here after a verified copy)"],
            ]}
          />
          <Choice
            name="onCollision"
            label="When a key already exists there"
            options={[
              ["overwrite", "Overwrite it"],
              ["skip", "Keep it"],
            ]}
          />
          <Submit pending={starter.pending}>Start</Submit>
        </form>
      </JobDialog>

      <JobDialog
        open={open === "bulk-expiry"}
        onOpenChange={close}
        title="Set expiry"
        description={`Set or clear the expiry of ${scope}. Each key is rewritten with its value and metadata.`}
        error={starter.error}
      >
        <ExpiryForm
          pending={starter.pending}
          onSubmit={(expiry, dryRun) => starter.start("bulk-expiry", { rule, ...expiry }, { dryRun })}
        />
      </JobDialog>
    </>
  );
}

function ExpiryForm({ pending, onSubmit }: { pending: boolean; onSubmit: (expiry: Record<string, unknown>, dryRun: boolean) => void }) {
  const [mode, setMode] = useState<"ttl" | "at" | "clear">("ttl");
  return (
    <form
      className="grid gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const dryRun = form.get("dryRun") === "on";
        if (mode === "clear") return onSubmit({ clear: true }, dryRun);
        if (mode === "ttl") return onSubmit({ expirationTtl: Number(form.get("ttl")) }, dryRun);
        return onSubmit({ expiration: Math.floor(new Date(String(form.get("at"))).getTime() / 1000) }, dryRun);
      }}
    >
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="mb-1">Expiry</legend>
        {(["ttl", "at", "clear"] as const).map((m) => (
          <label key={m} className="inline-flex items-center gap-1.5">
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
            {{ ttl: "After", at: "At", clear: "Never (clear it)" }[m]}
          </label>
        ))}
      </fieldset>
      {mode === "ttl" ? (
        <label className="flex items-center gap-2 text-sm">
          <Input name="ttl" type="number" min={60} defaultValue={86400} className="w-32" aria-label="Expiry TTL in seconds" /> seconds
        </label>
      ) : null}
      {mode === "at" ? <Input name="at" type="datetime-local" required aria-label="Expiry date and time" className="w-64" /> : null}
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="dryRun" /> Dry run first (count and sample, change nothing)
      </label>
      <Submit pending={pending}>Start</Submit>
    </form>
  );
}

function JobDialog({
  open,
  onOpenChange,
  title,
  description,
  error,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  error: string | null;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>
          <VisibleText text={description} />
        </DialogDescription>
        {children}
        {error && open ? (
          <p role="alert" className="rounded-md bg-destructive/10 p-2 text-sm text-destructive">
            <VisibleText text={error} />
          </p>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

function Choice({ name, label, options }: { name: string; label: string; options: [string, string][] }) {
  return (
    <fieldset className="grid gap-1 text-sm">
      <legend className="mb-1">{label}</legend>
      {options.map(([value, text], i) => (
        <label key={value} className="inline-flex items-center gap-1.5">
          <input type="radio" name={name} value={value} defaultChecked={i === 0} /> {text}
        </label>
      ))}
    </fieldset>
  );
}

function Submit({ pending, children }: { pending: boolean; children: ReactNode }) {
  return (
    <div className="flex justify-end">
      <Button type="submit" disabled={pending}>
        {pending ? "Starting…" : children}
      </Button>
    </div>
  );
}
