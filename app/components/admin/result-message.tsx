import type { ActionResult } from "~/features/admin/action-result";
import { cn } from "~/utils/cn";
import { VisibleText } from "../key-name";

/** What an admin action said: a status when it worked, an alert when it did not. */
export function ResultMessage({ result, className }: { result: ActionResult | undefined; className?: string }) {
  if (!result) return null;
  return (
    <p role={result.ok ? "status" : "alert"} className={cn(result.ok ? "text-success" : "text-destructive", className)}>
      <VisibleText text={result.ok ? result.message : result.error} />
    </p>
  );
}
