// Malformed changes, against the real server and the production build: for every route with an
// action (from the Remix manifest), a JSON body, an empty body and garbage each get a 4xx that
// says what is wrong, never a 500; so do numbers out of range in the forms (ttl=1e20, ids past
// what the database holds). Called directly, past the middleware, the actions refuse a body that
// is not a form too.
//
// Needs `npm run build` first (it serves build/).
import type { AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "~/auth/roles";
import { findUserByUsername } from "~/auth/users.server";
import { actionPath, startBuiltServer, type BuiltServer } from "../helpers/built-server";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const NOT_A_FORM = /kvdeck takes changes as forms \(application\/x-www-form-urlencoded or multipart\/form-data\); this request sent /;

let server: BuiltServer;
let params: Record<string, string>;

/** Every route with an action, by id. */
const actions = () => Object.keys(server.routes).filter((id) => server.routes[id].module.action);
/** sign-out takes no fields: whatever its body, it signs out. */
const READS_A_FORM = (id: string) => id !== "routes/sign-out";
/** Signed in as an admin, so every guard passes; sign-in as nobody (a signed-in user is sent on). */
const asWho = (id: string) => (id === "routes/sign-in" ? null : "admin");
const url = (id: string, dataRequest = false) => actionPath(server.routes, id, params, dataRequest);

/** The message a refusal carries: JSON `message`/`error`, a sentence in a single-fetch body, or a page's alert. */
function messageOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const alert = /<(\w+)[^>]*\brole="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(body)?.[2];
    return alert
      ?.replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  }
  if (Array.isArray(parsed)) return parsed.find((v): v is string => typeof v === "string" && /\w \w/.test(v) && v.length > 8);
  const record = parsed as { message?: unknown; error?: unknown };
  return typeof record.message === "string" ? record.message : typeof record.error === "string" ? record.error : undefined;
}

function expectMessage(body: string, label: string) {
  if (/^\s*<!DOCTYPE html>/i.test(body) && !body.includes('role="alert"')) {
    // A document POST to a page re-renders it with the 4xx status (the page's fetchers show
    // messages; its .data twin, checked too, carries the message). It must not be an error page.
    expect(body, label).not.toMatch(/Unexpected Server Error|Something went wrong/);
    return;
  }
  const message = messageOf(body);
  expect(message ?? `no message in: ${body.slice(0, 300)}`, label).toMatch(/^(?!no message in:)\w+ \w+/);
  expect(message, label).not.toMatch(/Unexpected Server Error|Internal error/);
}

beforeAll(async () => {
  server = await startBuiltServer({ env: { KVDECK_LOCAL_API_TOKEN: "malformed-local-api-token-0123" } });
  const ns = await server.kvdeck.localKv!.store.createNamespace(ACCOUNT, "malformed");
  await server.kvdeck.localKv!.store.write(ns!.id, [{ key: "k", value: Buffer.from("v"), metadata: null, expiration: null }]);
  const started = await server.send(`/accounts/1/namespaces/${ns!.id}/jobs`, {
    method: "POST",
    as: "admin",
    body: new URLSearchParams({ kind: "export" }),
  });
  expect(started.status, started.body.slice(0, 300)).toBe(200);
  const jobId =
    /"id","([0-9a-f-]{36})"/.exec(started.body)?.[1] ??
    /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(started.body)?.[1];
  expect(jobId, started.body.slice(0, 300)).toBeTruthy();
  params = { connectionId: "1", namespaceId: ns!.id, jobId: jobId! };
});

afterAll(async () => {
  await server?.close();
});

describe("every action", () => {
  it("the manifest lists the actions this test covers", () => {
    expect(actions().sort()).toEqual(
      expect.arrayContaining([
        "routes/accounts.$connectionId._index",
        "routes/accounts.$connectionId.namespaces.$namespaceId",
        "routes/accounts.$connectionId.namespaces.$namespaceId.jobs",
        "routes/admin.connections",
        "routes/admin.users",
        "routes/jobs.$jobId",
        "routes/sign-in",
        "routes/sign-out",
      ]),
    );
  });

  it("answers 415 with what was sent for a JSON, XML or plain-text body, as a document and as .data", async () => {
    for (const id of actions()) {
      for (const target of [url(id), url(id, true)]) {
        for (const [type, body] of [
          ["application/json", JSON.stringify({ intent: "delete", name: "k", id: 2, username: "admin", password: "x" })],
          ["text/plain;charset=UTF-8", "intent=delete&name=k"],
          ["application/xml", "<intent>delete</intent>"],
        ]) {
          const res = await server.send(target, { method: "POST", as: "admin", body, headers: { "content-type": type } });
          expect(res.status, `${id} ${target} ${type}`).toBe(415);
          expect(JSON.parse(res.body).message, `${id} ${target}`).toMatch(NOT_A_FORM);
        }
        const page = await server.send(target, {
          method: "POST",
          as: "admin",
          accept: "text/html",
          body: "{}",
          headers: { "content-type": "application/json" },
        });
        expect(page.status, `${id} document`).toBe(415);
        expect(page.body).toMatch(NOT_A_FORM);
      }
    }
  });

  it("answers an empty body (no type, or a form type) with a 4xx that says what is missing", async () => {
    for (const id of actions().filter(READS_A_FORM)) {
      for (const target of [url(id), url(id, true)]) {
        for (const headers of [{}, { "content-type": "application/x-www-form-urlencoded" }, { "content-type": "text/plain" }] as Record<
          string,
          string
        >[]) {
          const res = await server.send(target, { method: "POST", as: asWho(id), body: "", headers });
          const label = `${id} ${target} empty ${JSON.stringify(headers)}`;
          expect(res.status, `${label} → ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, label).toBeLessThan(500);
          expectMessage(res.body, label);
        }
      }
    }
  });

  it("answers garbage (broken multipart, binary bytes, nonsense fields) with a 4xx and a message", async () => {
    const garbage: { label: string; headers: Record<string, string>; body: BodyInit }[] = [
      { label: "multipart without a boundary", headers: { "content-type": "multipart/form-data" }, body: "intent=delete" },
      {
        label: "multipart with a wrong boundary",
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
        body: "--abc\r\nnonsense\r\n--abc--",
      },
      {
        label: "multipart with a broken part header",
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
        body: '--xyz\r\nContent-Disposition: attachment; filename="a"\r\n\r\nv\r\n--xyz--\r\n',
      },
      {
        label: "binary bytes as a form",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new Uint8Array([0xff, 0xfe, 0x00, 0x25, 0x7a, 0x7a, 0x26, 0x3d]),
      },
      { label: "bytes without a type", headers: {}, body: new Uint8Array([0x00, 0x01, 0x02, 0xff]) },
      {
        label: "nonsense fields",
        headers: {},
        body: new URLSearchParams({ intent: "\u0000explode", kind: "../../etc", id: "NaN", name: "", role: "root" }),
      },
      {
        label: "numbers past every bound",
        headers: {},
        body: new URLSearchParams({ intent: "delete", id: "1e20", confirmTitle: "x", kind: "export", payload: "1e999" }),
      },
    ];
    for (const id of actions().filter(READS_A_FORM)) {
      for (const target of [url(id), url(id, true)]) {
        for (const { label, headers, body } of garbage) {
          const res = await server.send(target, { method: "POST", as: asWho(id), body, headers });
          const what = `${id} ${target}: ${label}`;
          expect(res.status, `${what} → ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          expectMessage(res.body, what);
        }
      }
    }
  });

  it("called directly, past the middleware, refuses a body that is not a form with 415", async () => {
    const row = await findUserByUsername(server.kvdeck.services.database.db, "admin");
    const admin: SessionUser = { id: row!.id, username: row!.username, role: row!.role };
    for (const id of actions().filter(READS_A_FORM)) {
      const request = new Request(`${server.base}${url(id)}`, {
        method: "POST",
        body: '{"intent":"delete"}',
        headers: { "content-type": "application/json" },
      });
      // Only what the actions touch before they read the form.
      const auth = { clientIp: "127.0.0.1", secure: false, sessionId: null };
      const context = { services: server.kvdeck.services, user: admin, auth } as unknown as AppLoadContext;
      const thrown = await Promise.resolve(server.routes[id].module.action!({ request, params, context })).then(
        (answer) => answer,
        (error: unknown) => error,
      );
      expect(thrown, id).toBeInstanceOf(Response);
      expect((thrown as Response).status, id).toBe(415);
      expect(((await (thrown as Response).json()) as { message: string }).message, id).toMatch(NOT_A_FORM);
    }
  });
});

describe("numbers in forms", () => {
  const putKey = (fields: Record<string, string>) =>
    server.send(url("routes/accounts.$connectionId.namespaces.$namespaceId", true), {
      method: "POST",
      as: "editor",
      body: new URLSearchParams({ intent: "put", mode: "create", name: "ttl-key", value: "v", metadata: "", ...fields }),
    });

  it("a key's ttl of 1e20 (or text, or a fraction) is refused with 400 and says the bound; nothing is written", async () => {
    for (const ttl of ["1e20", "3153600001", "abc", "90.5", "-60"]) {
      const res = await putKey({ expiry: "ttl", ttl });
      expect(res.status, ttl).toBe(400);
      expect(res.body, ttl).toContain("An expiry TTL is a whole number of seconds, at most 3,153,600,000 (100 years).");
    }
    const at = await putKey({ expiry: "at", at: "1e20" });
    expect(at.status).toBe(400);
    expect(at.body).toContain("Choose an expiry date before the year 10000.");
    expect(await server.kvdeck.localKv!.store.get(params.namespaceId, "ttl-key")).toBeFalsy();
    // In range, it is written.
    expect((await putKey({ expiry: "ttl", ttl: "3600" })).status).toBe(200);
  });

  it("ids past what the database holds name no user, connection or account (4xx, not a database error)", async () => {
    const user = await server.send("/admin/users.data", {
      method: "POST",
      as: "admin",
      body: new URLSearchParams({ intent: "delete", id: "1e20" }),
    });
    expect(user.status).toBe(400);
    expect(user.body).toContain("The user id must be a whole number from 1 to 2147483647.");
    const connection = await server.send("/admin/connections.data", {
      method: "POST",
      as: "admin",
      body: new URLSearchParams({ intent: "delete", id: "99999999999" }),
    });
    expect(connection.status).toBe(400);
    expect(connection.body).toContain("The connection id must be a whole number from 1 to 2147483647.");
    const account = await server.send("/accounts/99999999999", { as: "viewer", accept: "text/html" });
    expect(account.status).toBe(404);
    expect(account.body).toContain("There is no such account in kvdeck.");
  });

  it("a job's settings out of range are refused with 400 and the bound", async () => {
    const start = (kind: string, fields: Record<string, string>) =>
      server.send(`${url("routes/accounts.$connectionId.namespaces.$namespaceId.jobs")}.data`, {
        method: "POST",
        as: "editor",
        body: new URLSearchParams({ kind, ...fields, totalEstimate: "1e300" }),
      });
    const ttl = await start("bulk-expiry", { expirationTtl: "1e20" });
    expect(ttl.status).toBe(400);
    expect(ttl.body).toContain("An expiry TTL is at most 3,153,600,000 seconds (100 years).");
    const at = await start("bulk-expiry", { expiration: "1e20" });
    expect(at.status).toBe(400);
    expect(at.body).toContain("Choose an expiry date before the year 10000.");
    const copy = await start("copy", { targetConnectionId: "1e20", targetNamespaceId: "x" });
    expect(copy.status).toBe(400);
    expect(copy.body).toContain("There is no such connection.");
  });
});
