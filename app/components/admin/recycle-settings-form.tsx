// A connection's recycle bin settings on the connections page: whether deletes keep a copy unless
// the person skips it, how long copies are kept, and how much they may take.
import { useFetcher } from "@remix-run/react";
import type { ActionResult } from "~/features/admin/action-result";
import type { RecycleBinRowData } from "~/features/admin/connections.server";
import { MEGABYTE } from "~/recycle/settings";
import { escapeInvisibles, formatBytes } from "~/utils/format";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { ResultMessage } from "./result-message";

export function RecycleSettingsForm({ bin }: { bin: RecycleBinRowData }) {
  const fetcher = useFetcher<ActionResult>();
  const name = escapeInvisibles(bin.name);
  return (
    <fetcher.Form method="post" className="grid gap-3 rounded-md border p-3" aria-label={`Recycle bin of ${name}`}>
      <input type="hidden" name="intent" value="recycle" />
      <input type="hidden" name="id" value={bin.id} />
      <p className="font-medium">
        {name} <span className="text-sm font-normal text-muted-foreground">holds {formatBytes(bin.heldBytes)} of copies</span>
      </p>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="copyByDefault" defaultChecked={bin.settings.copyByDefault} />
        Keep a copy of every delete unless the person skips it
      </label>
      <div className="flex flex-wrap gap-4">
        <label className="grid gap-1 text-sm">
          Keep copies (days)
          <Input name="retentionDays" type="number" min={1} max={365} required defaultValue={bin.settings.retentionDays} className="w-28" />
        </label>
        <label className="grid gap-1 text-sm">
          Size cap (MB)
          <Input
            name="capMegabytes"
            type="number"
            min={1}
            required
            defaultValue={Math.round(bin.settings.capBytes / MEGABYTE)}
            className="w-36"
          />
        </label>
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={fetcher.state !== "idle"}>
          Save
        </Button>
        <ResultMessage result={fetcher.data} className="text-sm" />
      </div>
    </fetcher.Form>
  );
}
