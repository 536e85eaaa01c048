// "Add a connection": a Cloudflare(-compatible) account with its API token, or another account
// on this server's local KV API (when it serves one).
import { useFetcher } from "@remix-run/react";
import { useId, useState } from "react";
import type { ActionResult } from "~/features/admin/action-result";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { RadioGroup, RadioGroupItem } from "../ui/radio-group";
import { ResultMessage } from "./result-message";
import { useResetOnSuccess } from "./use-reset-on-success";

type Kind = "cloudflare" | "local";

export function AddConnectionForm({ servesLocalKv }: { servesLocalKv: boolean }) {
  const fetcher = useFetcher<ActionResult>();
  const form = useResetOnSuccess(fetcher);
  const id = useId();
  const [kind, setKind] = useState<Kind>("cloudflare");
  return (
    <section aria-labelledby="add-connection-heading" className="max-w-xl">
      <h2 id="add-connection-heading" className="mb-3 text-lg font-semibold">
        Add a connection
      </h2>
      <fetcher.Form method="post" ref={form} className="space-y-3" autoComplete="off">
        <input type="hidden" name="intent" value="create" />
        <div className="space-y-1.5 text-sm">
          <span id={`${id}-kind`} className="font-medium">
            Kind
          </span>
          <RadioGroup
            name="kind"
            value={kind}
            onValueChange={(value) => setKind(value as Kind)}
            aria-labelledby={`${id}-kind`}
            className="flex flex-wrap gap-4"
          >
            <div className="flex items-center gap-2">
              <RadioGroupItem value="cloudflare" id={`${id}-cloudflare`} />
              <Label htmlFor={`${id}-cloudflare`} weight="normal">
                Cloudflare API (or another Cloudflare-compatible API)
              </Label>
            </div>
            <div className="flex items-center gap-2">
              <RadioGroupItem value="local" id={`${id}-local`} disabled={!servesLocalKv} />
              <Label htmlFor={`${id}-local`} weight="normal">
                Another account on this server&apos;s local KV API
              </Label>
            </div>
          </RadioGroup>
        </div>
        <div className="space-y-1">
          <Label htmlFor={`${id}-name`}>Name</Label>
          <Input id={`${id}-name`} name="name" required maxLength={100} placeholder="Production" />
        </div>
        <div className="space-y-1">
          <Label htmlFor={`${id}-account`}>Account id</Label>
          <Input
            id={`${id}-account`}
            name="accountId"
            required
            pattern="[0-9a-fA-F]{32}"
            className="font-mono"
            spellCheck={false}
            placeholder="32 hex digits"
          />
        </div>
        {kind === "cloudflare" ? (
          <>
            <div className="space-y-1">
              <Label htmlFor={`${id}-token`}>API token</Label>
              <Input
                id={`${id}-token`}
                name="token"
                type="password"
                required
                autoComplete="off"
                spellCheck={false}
                aria-describedby={`${id}-token-hint`}
              />
              <p id={`${id}-token-hint`} className="text-xs text-muted-foreground">
                Needs Workers KV Storage read (and edit, to change keys). Stored encrypted; never shown again.
              </p>
            </div>
            <div className="space-y-1">
              <Label htmlFor={`${id}-base`}>Base URL (optional)</Label>
              <Input id={`${id}-base`} name="baseUrl" type="url" placeholder="https://api.cloudflare.com/client/v4" spellCheck={false} />
            </div>
          </>
        ) : null}
        <ResultMessage result={fetcher.data} className="text-sm" />
        <Button type="submit" disabled={fetcher.state !== "idle"}>
          Add connection
        </Button>
      </fetcher.Form>
    </section>
  );
}
