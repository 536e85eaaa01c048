// Toasts: short summaries of what an action did, with the details of partial failures.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { cn } from "~/utils/cn";
import { KeyName, VisibleText } from "./key-name";

export interface Toast {
  id: number;
  title: string;
  description?: string;
  variant?: "default" | "success" | "error";
  /** Failed items listed under the summary. */
  details?: { label: string; detail: string }[];
}

const AUTO_DISMISS_MS = 6_000;
const MAX_DETAILS_SHOWN = 20;

const ToastContext = createContext<(toast: Omit<Toast, "id">) => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (toast: Omit<Toast, "id">) => {
      const id = nextId.current++;
      setToasts((all) => [...all.slice(-4), { ...toast, id }]);
      // Errors with details stay until dismissed: people need time to read which keys failed.
      if (!(toast.variant === "error" && toast.details?.length)) setTimeout(() => dismiss(id), AUTO_DISMISS_MS);
    },
    [dismiss],
  );
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <section
        aria-label="Notifications"
        className="pointer-events-none fixed bottom-4 right-4 z-50 flex w-[min(26rem,calc(100%-2rem))] flex-col gap-2"
      >
        {toasts.map((t) => (
          <div
            key={t.id}
            role={t.variant === "error" ? "alert" : "status"}
            className={cn(
              "pointer-events-auto rounded-lg border bg-popover p-3 text-sm shadow-lg",
              t.variant === "error" && "border-destructive/50",
              t.variant === "success" && "border-success/50",
            )}
          >
            <div className="flex items-start justify-between gap-2">
              <p className="min-w-0 break-words font-medium">
                <VisibleText text={t.title} />
              </p>
              <button
                type="button"
                className="text-muted-foreground hover:text-foreground"
                aria-label="Dismiss notification"
                onClick={() => dismiss(t.id)}
              >
                ✕
              </button>
            </div>
            {t.description ? (
              <p className="mt-1 break-words text-muted-foreground">
                <VisibleText text={t.description} />
              </p>
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
        ))}
      </section>
    </ToastContext.Provider>
  );
}
