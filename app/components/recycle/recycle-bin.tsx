// A namespace's recycle bin: every delete kvdeck kept a copy of, newest first, with its size, who,
// when and a sample; restore all or chosen keys, download the copies as NDJSON, or (admins) empty.
import { Link, useFetcher, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useCan } from "~/auth/use-user";
import type { BinAnswer } from "~/features/recycle/bin-action.server";
import type { loader } from "~/routes/accounts.$connectionId.namespaces.$namespaceId_.bin";
import { formatAbsolute, formatBytes, formatCount, formatRelative } from "~/utils/format";
import { ConfirmDeleteDialog } from "../confirm-delete-dialog";
import { KeyName, VisibleText } from "../key-name";
import { NamespaceHeading } from "../namespaces/namespace-heading";
import { Button } from "../ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "../ui/table";
import { RestoreDialog, type RestoreTarget } from "./restore-dialog";

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type DeletionRow = Data["bin"]["deletions"][number];

const OPERATIONS: Record<DeletionRow["operation"], string> = {
  delete: "Delete",
  "delete-selected": "Delete (job)",
  purge: "Purge",
  move: "Move",
};

export function RecycleBin() {
  const data = useLoaderData<typeof loader>();
  const { connection, namespace, bin, inlineMax, now } = data;
  const base = `/accounts/${connection.id}/namespaces/${namespace.id}`;
  const canRestore = useCan("editor");
  const canEmpty = useCan("admin");
  const fetcher = useFetcher<BinAnswer>();
  const navigate = useNavigate();
  const [restoring, setRestoring] = useState<RestoreTarget | null>(null);
  const [emptying, setEmptying] = useState<DeletionRow | "all" | null>(null);
  const answer = fetcher.data;
  useEffect(() => {
    if (fetcher.state === "idle" && answer?.ok && "job" in answer) navigate(`/jobs/${answer.job.id}`);
  }, [fetcher.state, answer, navigate]);

  return (
    <div className="mx-auto grid w-full max-w-6xl gap-4 px-4 py-6">
      <div className="grid gap-1">
        <NamespaceHeading connection={connection} namespace={namespace} base={base} current="bin" />
      </div>
      <p className="text-sm text-muted-foreground">
        Copies of what kvdeck deleted, kept {bin.settings.retentionDays} {bin.settings.retentionDays === 1 ? "day" : "days"}. This
        connection&apos;s copies take {formatBytes(bin.heldBytes)} of {formatBytes(bin.settings.capBytes)}.
        {bin.settings.copyByDefault ? "" : " Deletes keep no copy unless the person asks (an admin's setting)."}
      </p>
      <BinAnswerMessage answer={fetcher.state === "idle" ? answer : undefined} />
      {bin.deletions.length === 0 ? (
        <p className="rounded-md border p-6 text-center text-sm">The recycle bin of this namespace is empty.</p>
      ) : (
        <Table>
          <caption className="sr-only">Deletions in the recycle bin, newest first</caption>
          <TableHeader>
            <TableRow>
              <TableHead>When</TableHead>
              <TableHead>What</TableHead>
              <TableHead>Who</TableHead>
              <TableHead className="text-right">Keys held</TableHead>
              <TableHead className="text-right">Size</TableHead>
              <TableHead className="hidden md:table-cell">Sample</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {bin.deletions.map((d) => {
              const held = d.keys - d.restoredKeys;
              const at = new Date(d.createdAt).getTime() / 1000;
              return (
                <TableRow key={d.id}>
                  <TableCell title={formatAbsolute(at)}>{formatRelative(at, now)}</TableCell>
                  <TableCell>
                    <span className="font-medium">{OPERATIONS[d.operation]}</span>: <VisibleText text={d.description} />
                    {d.restoredKeys > 0 ? (
                      <span className="block text-xs text-muted-foreground">{formatCount(d.restoredKeys)} restored</span>
                    ) : null}
                  </TableCell>
                  <TableCell>{d.createdBy ?? "—"}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatCount(held)}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatBytes(d.bytes)}</TableCell>
                  <TableCell className="hidden max-w-xs md:table-cell">
                    <ul className="font-mono text-xs">
                      {d.sample.map((k) => (
                        <li key={k} className="flex min-w-0">
                          <KeyName name={k} truncate="middle" />
                        </li>
                      ))}
                    </ul>
                  </TableCell>
                  <TableCell>
                    <div className="flex flex-wrap justify-end gap-2">
                      {held > 0 && canRestore ? (
                        <Button
                          type="button"
                          size="sm"
                          onClick={() => setRestoring({ deletion: d.id, description: d.description, names: [], count: held })}
                          aria-label={`Restore ${d.description}`}
                        >
                          Restore
                        </Button>
                      ) : null}
                      {held > 0 ? (
                        <>
                          <Button asChild size="sm" variant="outline">
                            <Link to={`?deletion=${encodeURIComponent(d.id)}`} aria-label={`Keys of ${d.description}`}>
                              Keys
                            </Link>
                          </Button>
                          <Button asChild size="sm" variant="outline">
                            <a
                              href={`${base}/bin/${encodeURIComponent(d.id)}.ndjson`}
                              download
                              aria-label={`Download ${d.description} as NDJSON`}
                            >
                              NDJSON
                            </a>
                          </Button>
                        </>
                      ) : null}
                      {canEmpty ? (
                        <Button
                          type="button"
                          size="sm"
                          variant="ghost"
                          onClick={() => setEmptying(d)}
                          aria-label={`Empty ${d.description}`}
                        >
                          Empty…
                        </Button>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {canEmpty && bin.deletions.length > 0 ? (
        <div>
          <Button type="button" variant="outline" onClick={() => setEmptying("all")}>
            Empty the recycle bin…
          </Button>
        </div>
      ) : null}
      {bin.opened ? <OpenedDeletion opened={bin.opened} canRestore={canRestore} onRestore={setRestoring} /> : null}
      <RestoreDialog target={restoring} fetcher={fetcher} inlineMax={inlineMax} onClose={() => setRestoring(null)} />
      <ConfirmDeleteDialog
        open={emptying !== null}
        onOpenChange={(open) => !open && setEmptying(null)}
        title={emptying === "all" ? `Empty the recycle bin of ${namespace.title}?` : `Empty ${emptying?.description ?? ""}?`}
        description={<p>The copies go for good: these deletes can no longer be undone.</p>}
        actionLabel={emptying === "all" ? "Empty the recycle bin" : "Empty"}
        onConfirm={() => {
          const form = new FormData();
          if (emptying === "all") form.set("intent", "empty-all");
          else if (emptying) {
            form.set("intent", "empty");
            form.set("deletion", emptying.id);
          }
          fetcher.submit(form, { method: "post" });
          setEmptying(null);
        }}
      />
    </div>
  );
}

function OpenedDeletion({
  opened,
  canRestore,
  onRestore,
}: {
  opened: NonNullable<Data["bin"]["opened"]>;
  canRestore: boolean;
  onRestore: (target: RestoreTarget) => void;
}) {
  const [params] = useSearchParams();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const { deletion, keys } = opened;
  const next = new URLSearchParams(params);
  if (keys.length) next.set("after", keys[keys.length - 1].key);
  return (
    <section aria-labelledby="opened-deletion" className="grid gap-2 rounded-md border p-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="opened-deletion" className="font-medium">
          Keys of <VisibleText text={deletion.description} />
        </h2>
        {canRestore ? (
          <Button
            type="button"
            size="sm"
            disabled={chosen.size === 0}
            onClick={() => onRestore({ deletion: deletion.id, description: deletion.description, names: [...chosen], count: chosen.size })}
          >
            Restore {formatCount(chosen.size)} selected
          </Button>
        ) : null}
      </div>
      {keys.length === 0 ? <p className="text-sm">No keys left: every one is restored.</p> : null}
      <ul className="grid gap-1 text-sm">
        {keys.map((k) => (
          <li key={k.key} className="flex min-w-0 items-center gap-2">
            {canRestore ? (
              <input
                type="checkbox"
                aria-label={`Select ${k.key}`}
                checked={chosen.has(k.key)}
                onChange={(event) => {
                  const checked = event.currentTarget.checked;
                  setChosen((before) => {
                    const after = new Set(before);
                    if (checked) after.add(k.key);
                    else after.delete(k.key);
                    return after;
                  });
                }}
              />
            ) : null}
            <KeyName name={k.key} className="min-w-0 font-mono" truncate="middle" />
            <span className="ml-auto shrink-0 text-xs text-muted-foreground">
              {formatBytes(k.size)}
              {k.expiration ? `, expires ${formatAbsolute(k.expiration)}` : ""}
            </span>
          </li>
        ))}
      </ul>
      {opened.more ? (
        <Link to={`?${next}`} className="text-sm underline underline-offset-4">
          Next keys
        </Link>
      ) : null}
    </section>
  );
}

function BinAnswerMessage({ answer }: { answer: BinAnswer | undefined }) {
  if (!answer || (answer.ok && "job" in answer)) return null;
  if (!answer.ok)
    return (
      <p role="alert" className="text-sm text-destructive">
        <VisibleText text={answer.error} />
      </p>
    );
  if ("message" in answer)
    return (
      <p role="status" className="text-sm text-success">
        {answer.message}
      </p>
    );
  const { summary } = answer;
  const left = [
    ...summary.conflicts.map((key) => ({ key, why: "written again since the delete (not overwritten)" })),
    ...summary.expired.map((key) => ({ key, why: "its expiry has passed" })),
    ...summary.failed.map((f) => ({ key: f.key, why: f.error })),
  ];
  return (
    <div role="status" className="grid gap-1 rounded-md border p-3 text-sm">
      <p className="font-medium">
        Restored {formatCount(summary.restored.length)} {summary.restored.length === 1 ? "key" : "keys"}
        {left.length ? `; ${formatCount(left.length)} not restored` : ""}.
      </p>
      {left.length ? (
        <ul className="max-h-40 overflow-auto text-xs">
          {left.slice(0, 50).map((l) => (
            <li key={l.key}>
              <KeyName name={l.key} className="font-mono" />: <VisibleText text={l.why} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
