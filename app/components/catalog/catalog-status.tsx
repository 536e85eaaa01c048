// The namespace's catalog, under its keys' status line: how many keys it holds and how old it is
// (or that the namespace is not indexed), the button that indexes or refreshes it (editors), its
// refresh schedule (a labelled select, admins) and its removal.
import { useFetcher, useNavigate } from "@remix-run/react";
import { useCallback } from "react";
import { REFRESH_CHOICES, type CatalogSummary } from "~/catalog/summary";
import type { JobSnapshot } from "~/jobs/types";
import { formatAbsolute, formatBytes, formatCount } from "~/utils/format";
import { useStartJob } from "../jobs/use-start-job";
import { useToast } from "../toaster";
import { Button } from "../ui/button";
import { Select } from "../ui/select";

type CatalogAnswer = { ok: true; message: string } | { ok: false; error: string };

export function CatalogStatus({
  base,
  catalog,
  canEdit,
  isAdmin,
}: {
  base: string;
  catalog: CatalogSummary | null;
  canEdit: boolean;
  isAdmin: boolean;
}) {
  const navigate = useNavigate();
  const toast = useToast();
  const onStarted = useCallback(
    (job: JobSnapshot) => {
      toast({ variant: "success", title: catalog ? "Catalog refresh started" : "Indexing started" });
      navigate(`/jobs/${job.id}`);
    },
    [toast, navigate, catalog],
  );
  const starter = useStartJob(`${base}/jobs`, onStarted);
  const settings = useFetcher<CatalogAnswer>();
  const answer = settings.data;
  const listing = Boolean(catalog?.scanJobId);

  return (
    <section aria-label="Catalog" className="flex flex-wrap items-center gap-3 border-b px-4 py-1.5 text-xs text-muted-foreground">
      <p>{describe(catalog)}</p>
      {canEdit ? (
        <Button size="sm" variant="outline" disabled={starter.pending || listing} onClick={() => starter.start([["kind", "index"]])}>
          {catalog ? "Refresh catalog" : "Index namespace"}
        </Button>
      ) : null}
      {listing ? (
        <a className="underline" href={`/jobs/${catalog!.scanJobId}`}>
          Listing under way
        </a>
      ) : null}
      {catalog && isAdmin ? (
        <settings.Form method="post" action={`${base}/catalog`} className="flex items-center gap-2">
          <input type="hidden" name="intent" value="schedule" />
          <label htmlFor="catalog-refresh">Refresh</label>
          <Select
            id="catalog-refresh"
            name="refreshEveryMs"
            size="sm"
            defaultValue={String(catalog.refreshEveryMs ?? "")}
            onChange={(event) => settings.submit(event.currentTarget.form)}
          >
            {REFRESH_CHOICES.map((choice) => (
              <option key={choice.label} value={String(choice.ms ?? "")}>
                {choice.label}
              </option>
            ))}
          </Select>
        </settings.Form>
      ) : null}
      {catalog && canEdit ? (
        <settings.Form method="post" action={`${base}/catalog`}>
          <input type="hidden" name="intent" value="remove" />
          <Button size="sm" variant="ghost" type="submit">
            Remove catalog
          </Button>
        </settings.Form>
      ) : null}
      {starter.error ? <p role="alert">{starter.error}</p> : null}
      {answer ? <p role={answer.ok ? "status" : "alert"}>{answer.ok ? answer.message : answer.error}</p> : null}
    </section>
  );
}

function describe(catalog: CatalogSummary | null): string {
  if (!catalog) return "Not indexed: searches list the namespace live.";
  const size = `${formatCount(catalog.keyCount)} keys, ${formatBytes(catalog.bytes)}`;
  if (catalog.state !== "ready") return `Catalog being built: ${size} so far.`;
  const asOf = catalog.asOf ? formatAbsolute(Date.parse(catalog.asOf) / 1000) : "—";
  return `Catalog: ${size}, as of ${asOf}.`;
}
