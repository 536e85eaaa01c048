// Confirmation whose friction matches the damage: one click for a few keys, typing the count for
// 100 or more, typing the title for a namespace. The button names the action and the count.
import { useRef, useState, type ReactNode } from "react";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "./ui/alert-dialog";
import { Button } from "./ui/button";
import { Input } from "./ui/input";
import { VisibleText } from "./key-name";

/** From this many keys on, the person types the count to confirm. */
export const TYPE_TO_CONFIRM_FROM = 100;

export function ConfirmDeleteDialog({
  open,
  onOpenChange,
  title,
  description,
  actionLabel,
  confirmText,
  onConfirm,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  /** "Delete 37 keys" */
  actionLabel: string;
  /** When set, the person must type exactly this to enable the action. */
  confirmText?: string;
  onConfirm: () => void;
  children?: ReactNode;
}) {
  const [typed, setTyped] = useState("");
  const ready = confirmText === undefined || typed === confirmText;
  const typedInput = useRef<HTMLInputElement>(null);
  const action = useRef<HTMLButtonElement>(null);
  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setTyped("");
        onOpenChange(next);
      }}
    >
      <AlertDialogContent
        // Focus starts where the person acts: the box to type in, or else the action (Radix would pick Cancel).
        onOpenAutoFocus={(event) => {
          event.preventDefault();
          (confirmText !== undefined ? typedInput : action).current?.focus();
        }}
      >
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (!ready) return;
            setTyped("");
            onConfirm();
          }}
        >
          <AlertDialogHeader>
            <AlertDialogTitle className="break-words">
              <VisibleText text={title} />
            </AlertDialogTitle>
            <AlertDialogDescription asChild>
              <div>{description}</div>
            </AlertDialogDescription>
          </AlertDialogHeader>
          {children}
          {confirmText !== undefined ? (
            <label className="grid gap-1 text-sm">
              <span>
                Type{" "}
                <strong className="break-all font-mono">
                  <VisibleText text={confirmText} />
                </strong>{" "}
                to confirm
              </span>
              <Input
                value={typed}
                onChange={(e) => setTyped(e.currentTarget.value)}
                autoComplete="off"
                spellCheck={false}
                ref={typedInput}
              />
            </label>
          ) : null}
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Cancel</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={!ready} ref={action}>
              {actionLabel}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
