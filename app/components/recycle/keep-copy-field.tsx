// The choice a destructive form offers: keep a restorable copy of what it deletes (the default an
// admin set for the connection) or not, with what the copy costs. The form sends `recycle` as
// "keep" or "skip" either way, so an unchecked box is a choice, not a missing field.
import { useState } from "react";
import { formatCount } from "~/utils/format";

/** One bulk get per 100 keys: what a copy of `keys` text keys costs, and how long at `requestsPerSecond`. */
export function copyCost(keys: number, requestsPerSecond: number | null): string {
  const requests = Math.ceil(keys / 100);
  const what = `${formatCount(requests)} ${requests === 1 ? "request" : "requests"}`;
  if (!requestsPerSecond) return what;
  return `${what}, about ${Math.max(1, Math.ceil(requests / requestsPerSecond))} s at the current budget`;
}

export function KeepCopyField({
  keys,
  requestsPerSecond,
  defaultChecked,
  checked,
  onCheckedChange,
  cost,
}: {
  /** How many keys it deletes; null when not known yet (a rule). */
  keys: number | null;
  requestsPerSecond: number | null;
  defaultChecked: boolean;
  /** Controlled use (a dialog that submits through a callback); else the field keeps its own state. */
  checked?: boolean;
  onCheckedChange?: (checked: boolean) => void;
  /** What the copy costs, when the caller knows better (a move reads the values anyway). */
  cost?: string;
}) {
  const [own, setOwn] = useState(defaultChecked);
  const value = checked ?? own;
  return (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        className="mt-0.5"
        checked={value}
        onChange={(event) => {
          setOwn(event.currentTarget.checked);
          onCheckedChange?.(event.currentTarget.checked);
        }}
      />
      <input type="hidden" name="recycle" value={value ? "keep" : "skip"} />
      <span>
        Keep a copy in the recycle bin, to undo or restore
        <span className="block text-xs text-muted-foreground">
          {cost ??
            `${keys === null ? "One more request per 100 keys" : `Costs ${copyCost(keys, requestsPerSecond)}`}; values that are not text are read one by one.`}
        </span>
      </span>
    </label>
  );
}
