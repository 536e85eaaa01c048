// Confirming a delete of chosen keys: the first five named, the count typed from 100 on.
import { formatCount } from "~/utils/format";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "../confirm-delete-dialog";
import { KeyName } from "../key-name";

const NAMED = 5;

export function DeleteKeysDialog({
  names,
  namespaceTitle,
  onClose,
  onConfirm,
}: {
  /** The keys to delete; null while closed. */
  names: string[] | null;
  namespaceTitle: string;
  onClose: () => void;
  onConfirm: (names: string[]) => void;
}) {
  const count = names?.length ?? 0;
  const what = `${formatCount(count)} ${count === 1 ? "key" : "keys"}`;
  return (
    <ConfirmDeleteDialog
      open={names !== null}
      onOpenChange={(open) => !open && onClose()}
      title={`Delete ${what} from ${namespaceTitle}?`}
      description={
        <>
          <p>This cannot be undone.{count <= NAMED && names ? "" : " Among them:"}</p>
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
        if (names) onConfirm(names);
        onClose();
      }}
    />
  );
}
