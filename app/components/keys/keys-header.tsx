// The namespace page's head: where you are, the namespace's actions (new key, jobs, delete the
// namespace) and the filter, which a typed prefix applies by itself after a pause.
import { useSubmit } from "@remix-run/react";
import { memo, useRef, useState } from "react";
import { useCan } from "~/auth/use-user";
import type { ExpiryFilter } from "~/kv/key-filter";
import type { KeyRule } from "~/kv/key-rule";
import { ConfirmDeleteDialog } from "../confirm-delete-dialog";
import { KeyFilterForm } from "../key-filter-form";
import { KeyFormDialog } from "../key-form-dialog";
import { NamespaceHeading } from "../namespaces/namespace-heading";
import { NamespaceJobActions } from "../jobs/namespace-job-actions";
import { Button } from "../ui/button";

const FILTER_DEBOUNCE_MS = 300;

/** Memoised: the page renders again for its dialogs, the head has no reason to. */
export const KeysHeader = memo(function KeysHeader({
  connection,
  namespace,
  base,
  rule,
  expiry,
  copyByDefault,
}: {
  connection: { id: number; name: string };
  namespace: { id: string; title: string };
  base: string;
  rule: KeyRule;
  expiry: ExpiryFilter | null;
  /** The connection's recycle default (a move's copy). */
  copyByDefault: boolean;
}) {
  const submit = useSubmit();
  const canEdit = useCan("editor");
  const canAdmin = useCan("admin");
  const [creating, setCreating] = useState(false);
  const [deletingNamespace, setDeletingNamespace] = useState(false);
  const debounce = useRef<ReturnType<typeof setTimeout>>(undefined);

  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b px-4 py-3">
      <NamespaceHeading connection={connection} namespace={namespace} base={base} current="keys" />
      {canEdit ? (
        <Button size="sm" variant="outline" onClick={() => setCreating(true)}>
          New key
        </Button>
      ) : null}
      <NamespaceJobActions
        action={`${base}/jobs`}
        rule={rule}
        namespaceId={namespace.id}
        connectionId={connection.id}
        canEdit={canEdit}
        copyByDefault={copyByDefault}
      />
      {canAdmin ? (
        <Button size="sm" variant="ghost" className="text-destructive" onClick={() => setDeletingNamespace(true)}>
          Delete namespace
        </Button>
      ) : null}
      <KeyFilterForm
        base={base}
        rule={rule}
        expiry={expiry}
        onPrefixTyped={(form) => {
          clearTimeout(debounce.current);
          debounce.current = setTimeout(() => submit(form, { replace: true }), FILTER_DEBOUNCE_MS);
        }}
        onSubmitted={() => clearTimeout(debounce.current)}
      />
      <ConfirmDeleteDialog
        open={deletingNamespace}
        onOpenChange={setDeletingNamespace}
        title={`Delete namespace ${namespace.title}?`}
        description="Every key in it is deleted with it. This cannot be undone."
        actionLabel="Delete namespace"
        confirmText={namespace.title}
        onConfirm={() => {
          setDeletingNamespace(false);
          submit(
            { intent: "delete", id: namespace.id, confirmTitle: namespace.title, redirect: "1" },
            { method: "post", action: `/accounts/${connection.id}?index` },
          );
        }}
      />
      <KeyFormDialog open={creating} onOpenChange={setCreating} mode="create" action={base} />
    </div>
  );
});
