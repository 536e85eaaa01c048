// Connections: the upstream accounts kvdeck manages. Admins list, add and delete them here.
// A Cloudflare API token goes in once and is sealed (AES-256-GCM) before it is stored; it is
// never sent back to a browser, logged, or written to the audit log.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { getServices } from "~/context.server";
import type { Connection } from "~/db/schema";
import { escapeInvisibles, formatAbsolute } from "~/utils/format";
import { readForm, rowIdField } from "~/utils/form-data.server";

const name = z.string().trim().min(1, "Give the connection a name.").max(100, "Use at most 100 characters.");
const accountId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{32}$/, "An account id is 32 hex digits (Cloudflare dashboard → Account home → Account ID).");
const baseUrl = z
  .string()
  .trim()
  .url("Enter a full URL, e.g. https://api.cloudflare.com/client/v4.")
  .refine((u) => /^https?:\/\//i.test(u), "Use an http or https URL.")
  .transform((u) => u.replace(/\/+$/, ""))
  .optional()
  .or(z.literal("").transform(() => undefined));
const token = z
  .string()
  .trim()
  .min(1, "Paste the API token.")
  .max(4096, "That is longer than any API token.")
  .regex(/^\S+$/, "An API token has no spaces.");

const createSchema = z.discriminatedUnion("kind", [
  z.object({ intent: z.literal("create"), kind: z.literal("cloudflare"), name, accountId, token, baseUrl }),
  z.object({ intent: z.literal("create"), kind: z.literal("local"), name, accountId }),
]);
const deleteSchema = z.object({ intent: z.literal("delete"), id: rowIdField("connection") });

type ActionResult = { ok: true; message: string } | { ok: false; error: string };

/** What the page shows of a connection: never the token or its ciphertext. */
function describeConnection(c: Connection) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    accountId: c.accountId,
    baseUrl: c.baseUrl,
    source: c.source,
    hasToken: c.tokenCiphertext !== null,
    createdAt: c.createdAt.getTime(),
  };
}

export async function loader({ context }: LoaderFunctionArgs) {
  await requireRole(context, "admin");
  const { connections } = getServices(context);
  return { connections: (await connections.list()).map(describeConnection), servesLocalKv: connections.servesLocalKv };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireRole(context, "admin");
  const { connections } = getServices(context);
  const form = Object.fromEntries(await readForm(request));
  const parsed = (form.intent === "delete" ? deleteSchema : createSchema).safeParse(form);
  if (!parsed.success) return data<ActionResult>({ ok: false, error: parsed.error.issues[0].message }, { status: 400 });
  const input = parsed.data;

  if (input.intent === "create") {
    if (input.kind === "local" && !connections.servesLocalKv) {
      return data<ActionResult>(
        { ok: false, error: "This kvdeck serves no local KV API (a Cloudflare account is configured)." },
        { status: 400 },
      );
    }
    const created = await connections.create(input);
    await recordAudit(context, {
      action: "connection.create",
      target: `connection ${created.id} (${created.name})`,
      details: { kind: created.kind, accountId: created.accountId, baseUrl: created.baseUrl },
    });
    return data<ActionResult>({ ok: true, message: `Added ${created.name}.` });
  }

  const existing = await connections.get(input.id);
  if (!existing) return data<ActionResult>({ ok: false, error: "There is no such connection (any more)." }, { status: 404 });
  if (existing.source === "env") {
    return data<ActionResult>(
      { ok: false, error: "This connection comes from the environment (CLOUDFLARE_* variables); change those and restart instead." },
      { status: 409 },
    );
  }
  await connections.remove(existing.id);
  await recordAudit(context, {
    action: "connection.delete",
    target: `connection ${existing.id} (${existing.name})`,
    details: { kind: existing.kind, accountId: existing.accountId },
  });
  return data<ActionResult>({ ok: true, message: `Deleted ${existing.name}.` });
}

export default function Connections() {
  const { connections, servesLocalKv } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <section aria-labelledby="connections-heading">
        <h1 id="connections-heading" className="mb-3 text-xl font-semibold">
          Connections
        </h1>
        <div className="relative overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">Upstream accounts</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <th className="px-3 py-2 font-medium">Name</th>
                <th className="px-3 py-2 font-medium">Kind</th>
                <th className="px-3 py-2 font-medium">Account id</th>
                <th className="px-3 py-2 font-medium">API</th>
                <th className="px-3 py-2 font-medium">Added</th>
                <th className="px-3 py-2 font-medium">
                  <span className="sr-only">Delete</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {connections.map((c) => (
                <ConnectionRow key={c.id} connection={c} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <AddConnection servesLocalKv={servesLocalKv} />
    </div>
  );
}

function ConnectionRow({ connection: c }: { connection: ReturnType<typeof describeConnection> }) {
  const fetcher = useFetcher<ActionResult>();
  const [confirming, setConfirming] = useState(false);
  return (
    <tr aria-label={escapeInvisibles(c.name)}>
      <td className="px-3 py-2 align-top">
        <VisibleText text={c.name} className="font-medium" />{" "}
        {c.source === "env" ? (
          <Badge variant="outline" title="Set by CLOUDFLARE_* variables or the local KV API">
            environment
          </Badge>
        ) : null}
        {fetcher.data && !fetcher.data.ok ? (
          <p role="alert" className="text-xs text-destructive">
            <VisibleText text={fetcher.data.error} />
          </p>
        ) : null}
      </td>
      <td className="px-3 py-2 align-top">
        <Badge variant={c.kind === "local" ? "secondary" : "default"}>{c.kind === "local" ? "local KV API" : "Cloudflare"}</Badge>
      </td>
      <td className="px-3 py-2 align-top font-mono text-xs">{c.accountId}</td>
      <td className="px-3 py-2 align-top text-xs text-muted-foreground">
        {c.baseUrl ?? (c.kind === "local" ? "this server" : "api.cloudflare.com")}
        {c.hasToken ? " · token stored (sealed)" : ""}
      </td>
      <td className="px-3 py-2 align-top text-muted-foreground">{formatAbsolute(Math.floor(c.createdAt / 1000))}</td>
      <td className="px-3 py-2 text-right align-top">
        {c.source === "env" ? null : confirming ? (
          <fetcher.Form method="post" className="flex justify-end gap-2">
            <input type="hidden" name="intent" value="delete" />
            <input type="hidden" name="id" value={c.id} />
            <Button type="submit" size="sm" variant="destructive" disabled={fetcher.state !== "idle"}>
              Delete <VisibleText text={c.name} />
            </Button>
            <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(false)}>
              Keep
            </Button>
          </fetcher.Form>
        ) : (
          <Button
            type="button"
            size="sm"
            variant="ghost"
            onClick={() => setConfirming(true)}
            aria-label={`Delete ${escapeInvisibles(c.name)}…`}
          >
            Delete…
          </Button>
        )}
      </td>
    </tr>
  );
}

function AddConnection({ servesLocalKv }: { servesLocalKv: boolean }) {
  const fetcher = useFetcher<ActionResult>();
  const form = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<"cloudflare" | "local">("cloudflare");
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) form.current?.reset();
  }, [fetcher.state, fetcher.data]);
  return (
    <section aria-labelledby="add-connection-heading" className="max-w-xl">
      <h2 id="add-connection-heading" className="mb-3 text-lg font-semibold">
        Add a connection
      </h2>
      <fetcher.Form method="post" ref={form} className="space-y-3" autoComplete="off">
        <input type="hidden" name="intent" value="create" />
        <fieldset className="flex gap-4 text-sm">
          <legend className="mb-1 font-medium">Kind</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="kind" value="cloudflare" checked={kind === "cloudflare"} onChange={() => setKind("cloudflare")} />
            Cloudflare API (or another Cloudflare-compatible API)
          </label>
          <label className={`flex items-center gap-2 ${servesLocalKv ? "" : "opacity-50"}`}>
            <input
              type="radio"
              name="kind"
              value="local"
              disabled={!servesLocalKv}
              checked={kind === "local"}
              onChange={() => setKind("local")}
            />
            Another account on this server's local KV API
          </label>
        </fieldset>
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Name</span>
          <Input name="name" required maxLength={100} placeholder="Production" />
        </label>
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Account id</span>
          <Input name="accountId" required pattern="[0-9a-fA-F]{32}" className="font-mono" spellCheck={false} placeholder="32 hex digits" />
        </label>
        {kind === "cloudflare" ? (
          <>
            <label className="block space-y-1 text-sm">
              <span className="font-medium">API token</span>
              <Input name="token" type="password" required autoComplete="off" spellCheck={false} />
              <span className="text-xs text-muted-foreground">
                Needs Workers KV Storage read (and edit, to change keys). Stored encrypted; never shown again.
              </span>
            </label>
            <label className="block space-y-1 text-sm">
              <span className="font-medium">Base URL (optional)</span>
              <Input name="baseUrl" type="url" placeholder="https://api.cloudflare.com/client/v4" spellCheck={false} />
            </label>
          </>
        ) : null}
        {fetcher.data ? (
          <p role={fetcher.data.ok ? "status" : "alert"} className={`text-sm ${fetcher.data.ok ? "text-success" : "text-destructive"}`}>
            <VisibleText text={fetcher.data.ok ? fetcher.data.message : fetcher.data.error} />
          </p>
        ) : null}
        <Button type="submit" disabled={fetcher.state !== "idle"}>
          Add connection
        </Button>
      </fetcher.Form>
    </section>
  );
}

export const meta: MetaFunction = () => [{ title: "Connections · kvdeck" }];

export function ErrorBoundary() {
  return <RouteError />;
}
