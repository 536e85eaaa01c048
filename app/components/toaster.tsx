// Toasts: short summaries of what an action did, with the details of partial failures. Sonner
// keeps the stack (timers, pausing on hover, swipe to dismiss, Alt+T to reach them); kvdeck draws
// each toast itself, so a success is a role="status" and a failure a role="alert" with its list.
import type { CSSProperties } from "react";
import { Toaster as Sonner, toast as sonner } from "sonner";
import { cn } from "~/utils/cn";
import { KeyName, VisibleText } from "./key-name";

export interface Toast {
  title: string;
  description?: string;
  variant?: "default" | "success" | "error";
  /** Failed items listed under the summary. */
  details?: { label: string; detail: string }[];
  /** A button that acts on what the toast reports ("Undo"); the toast then goes. */
  action?: { label: string; onClick: () => void };
}

const AUTO_DISMISS_MS = 6_000;
/** A toast with an action (an undo) stays at least this long: time to notice and reach it. */
export const ACTION_DISMISS_MS = 15_000;
const MAX_DETAILS_SHOWN = 20;
const MAX_TOASTS_SHOWN = 5;

/** Shows a toast. Errors with details stay until dismissed: people need time to read which keys failed. */
export function showToast(toast: Toast) {
  const sticky = toast.variant === "error" && Boolean(toast.details?.length);
  sonner.custom((id) => <ToastCard toast={toast} onDismiss={() => sonner.dismiss(id)} />, {
    duration: sticky ? Infinity : toast.action ? ACTION_DISMISS_MS : AUTO_DISMISS_MS,
  });
}

/** For components: the function that shows a toast. */
export function useToast() {
  return showToast;
}

/** Where the toasts appear; mounted once, in the root layout. */
export function Toaster() {
  return (
    <Sonner
      position="bottom-right"
      expand
      visibleToasts={MAX_TOASTS_SHOWN}
      containerAriaLabel="Notifications"
      style={{ "--width": "min(26rem, calc(100vw - 2rem))" } as CSSProperties}
    />
  );
}

export function ToastCard({ toast: t, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  const action = t.action;
  return (
    <div
      role={t.variant === "error" ? "alert" : "status"}
      className={cn(
        "w-[var(--width)] rounded-lg border bg-popover p-3 text-sm text-popover-foreground shadow-lg",
        t.variant === "error" && "border-destructive/50",
        t.variant === "success" && "border-success/50",
      )}
    >
      <div className="flex items-start justify-between gap-2">
        <p className="min-w-0 break-words font-medium">
          <VisibleText text={t.title} />
        </p>
        <button type="button" className="text-muted-foreground hover:text-foreground" aria-label="Dismiss notification" onClick={onDismiss}>
          ✕
        </button>
      </div>
      {t.description ? (
        <p className="mt-1 break-words text-muted-foreground">
          <VisibleText text={t.description} />
        </p>
      ) : null}
      {action ? (
        <button
          type="button"
          className="mt-2 rounded-md border px-3 py-1 text-sm font-medium hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
          onClick={() => {
            onDismiss();
            action.onClick();
          }}
        >
          {action.label}
        </button>
      ) : null}
      {t.details?.length ? (
        <ul className="mt-2 max-h-40 space-y-1 overflow-auto text-xs">
          {t.details.slice(0, MAX_DETAILS_SHOWN).map((d) => (
            <li key={d.label}>
              <KeyName name={d.label} className="font-mono" />:{" "}
              <span className="text-muted-foreground">
                <VisibleText text={d.detail} />
              </span>
            </li>
          ))}
          {t.details.length > MAX_DETAILS_SHOWN ? (
            <li className="text-muted-foreground">and {t.details.length - MAX_DETAILS_SHOWN} more</li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
