// An upstream that echoes the Authorization header in its error bodies (a tiny local HTTP server),
// behind a Cloudflare connection of the real server and the production build: what a viewer is
// shown, what an editor's failed change returns, the audit log (rows and CSV) and everything the
// server prints carry "[redacted]" where the token was, never the token.
//
// Needs `npm run build` first (it serves build/).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "~/audit/audit.server";
import { startBuiltServer, type BuiltServer } from "../helpers/built-server";
import { startEchoUpstream, type EchoUpstream } from "../helpers/echo-upstream";

const TOKEN = "cf-echoed-token-0123456789abcdef";
const LOCAL_TOKEN = "redaction-local-api-token-0123";
const NAMESPACE = "0".repeat(32);

let server: BuiltServer;
let echo: EchoUpstream;
let connectionId: number;
const bodies: { label: string; body: string }[] = [];

// Everything the process prints, wrapped by hand (the shared setup restores vi mocks after each test).
const printed: string[] = [];
const restore: (() => void)[] = [];
function capturePrinted() {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      printed.push(
        args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "),
      );
      original(...args);
    };
    restore.push(() => (console[method] = original));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original as typeof stream.write));
  }
}

async function send(...args: Parameters<BuiltServer["send"]>) {
  const res = await server.send(...args);
  bodies.push({ label: `${args[1]?.method ?? "GET"} ${args[0]} as ${args[1]?.as ?? "nobody"}`, body: res.body });
  return res;
}

beforeAll(async () => {
  capturePrinted();
  echo = await startEchoUpstream();
  server = await startBuiltServer({ env: { KVDECK_LOCAL_API_TOKEN: LOCAL_TOKEN } });
  const added = await send("/admin/connections", {
    method: "POST",
    as: "admin",
    body: new URLSearchParams({
      intent: "create",
      kind: "cloudflare",
      name: "Echoing",
      accountId: "ab".repeat(16),
      token: TOKEN,
      baseUrl: echo.baseUrl,
    }),
  });
  expect(added.status, added.body.slice(0, 300)).toBe(200);
  connectionId = (await server.kvdeck.services.connections.list()).find((c) => c.name === "Echoing")!.id;
});

afterAll(async () => {
  await server?.close();
  await echo?.close();
  for (const undo of restore.splice(0)) undo();
});

describe("an upstream that echoes the token", () => {
  it("a viewer sees the upstream's words with the token redacted, on pages and in .data", async () => {
    for (const mode of ["json-400", "json-403", "text-500"] as const) {
      echo.mode = mode;
      const page = await send(`/accounts/${connectionId}`, { as: "viewer", accept: "text/html" });
      expect(page.status, mode).toBeGreaterThanOrEqual(400);
      expect(page.body, mode).toContain("Upstream said:");
      expect(page.body, mode).toContain("[redacted]");
      const data = await send(`/accounts/${connectionId}/namespaces/${NAMESPACE}.data`, { as: "viewer" });
      expect(data.status, mode).toBeGreaterThanOrEqual(400);
      expect(data.body, mode).toContain("[redacted]");
    }
  });

  it("an editor's failed changes say what the upstream said, redacted, and so does the audit log", async () => {
    echo.mode = "json-403";
    const base = `/accounts/${connectionId}/namespaces/${NAMESPACE}.data`;
    for (const mode of ["create", "edit"]) {
      const put = await send(base, {
        method: "POST",
        as: "editor",
        body: new URLSearchParams({ intent: "put", mode, name: `k-${mode}`, value: "v", metadata: "", expiry: "none" }),
      });
      expect(put.status, mode).toBe(400);
      expect(put.body, mode).toContain("[redacted]");
    }
    // Keeping a copy (the default): the copy's read is refused, nothing is deleted, the reason is redacted.
    const refused = await send(base, {
      method: "POST",
      as: "editor",
      body: new URLSearchParams([
        ["intent", "delete"],
        ["name", "a"],
        ["name", "b"],
      ]),
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toContain("Nothing was deleted: the copy to restore from could not be made");
    expect(refused.body).toContain("[redacted]");
    // Without a copy: the delete itself is refused, key by key, redacted.
    const del = await send(base, {
      method: "POST",
      as: "editor",
      body: new URLSearchParams([
        ["intent", "delete"],
        ["name", "a"],
        ["name", "b"],
        ["recycle", "skip"],
      ]),
    });
    expect(del.status).toBe(200);
    expect(del.body).toContain("[redacted]");

    const { events } = await listAuditEvents(server.kvdeck.services.database.db, {}, { limit: 100, offset: 0 });
    const failed = events.filter((e) => e.action.startsWith("key.") && e.outcome === "failed");
    expect(failed.map((e) => e.action).sort()).toEqual(["key.create", "key.delete", "key.delete", "key.update"]);
    for (const event of failed) expect(JSON.stringify(event.details), event.action).toContain("[redacted]");
    const csv = await send("/admin/audit.csv", { as: "admin" });
    expect(csv.body).toContain("[redacted]");
  });

  it("no response, audit row or printed line holds the token or the local API token, in any form", async () => {
    const { events } = await listAuditEvents(server.kvdeck.services.database.db, {}, { limit: 1000, offset: 0 });
    const stored = JSON.stringify(events);
    const forms = [TOKEN, encodeURIComponent(TOKEN), TOKEN.slice(0, 20), LOCAL_TOKEN];
    for (const form of forms) {
      expect(
        bodies.filter((b) => b.body.includes(form)).map((b) => b.label),
        form,
      ).toEqual([]);
      expect(stored, form).not.toContain(form);
      expect(
        [...printed, ...server.logged].filter((line) => line.includes(form)),
        form,
      ).toEqual([]);
    }
  });
});
