// Confirming a delete of chosen keys: the first five named, the count typed from 100 on, and the
// choice of keeping a copy to undo from (with its cost).
import { useState } from "react";
import type { RecycleOffer } from "~/features/recycle/bin.server";
import { formatCount } from "~/utils/format";
import { KeepCopyField } from "../recycle/keep-copy-field";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "../confirm-delete-dialog";
import { KeyName } from "../key-name";

const NAMED = 5;

export function DeleteKeysDialog({
  names,
  namespaceTitle,
  recycle,
  onClose,
  onConfirm,
}: {
  /** The keys to delete; null while closed. */
  names: string[] | null;
  namespaceTitle: string;
  recycle: RecycleOffer;
  onClose: () => void;
  onConfirm: (names: string[], keepCopy: boolean) => void;
}) {
  const count = names?.length ?? 0;
  const [keep, setKeep] = useState<boolean | null>(null);
  const keepCopy = keep ?? recycle.copyByDefault;
  const what = `${formatCount(count)} ${count === 1 ? "key" : "keys"}`;
  return (
    <ConfirmDeleteDialog
      open={names !== null}
      onOpenChange={(open) => {
        if (open) return;
        setKeep(null);
        onClose();
      }}
      title={`Delete ${what} from ${namespaceTitle}?`}
      description={
        <>
          <p>
            {keepCopy ? "You can undo this from the recycle bin." : "This cannot be undone."}
            {count <= NAMED && names ? "" : " Among them:"}
          </p>
          <ul className="mt-2 max-h-32 overflow-auto font-mono text-xs">
            {(names ?? []).slice(0, NAMED).map((n) => (
              <li key={n} className="flex min-w-0">
                <KeyName name={n} truncate="middle" />
              </li>
            ))}
            {count > NAMED ? <li>and {formatCount(count - NAMED)} more</li> : null}
          </ul>
        </>
      }
      actionLabel={`Delete ${what}`}
      confirmText={count >= TYPE_TO_CONFIRM_FROM ? String(count) : undefined}
      onConfirm={() => {
        if (names) onConfirm(names, keepCopy);
        setKeep(null);
        onClose();
      }}
    >
      <KeepCopyField
        keys={count}
        requestsPerSecond={recycle.requestsPerSecond}
        defaultChecked={keepCopy}
        checked={keepCopy}
        onCheckedChange={setKeep}
      />
    </ConfirmDeleteDialog>
  );
}
