// createHttpUpstream's typed errors against kvdeck's local KV API, with the client's own retry
// policy (app/kv/retry.ts: bounded retries of safe requests only, fail fast while rate limited), and
// upstream text that echoes the token, redacted.
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createHttpUpstream, type HttpUpstreamOptions } from "~/kv/cloudflare.server";
import { type EchoUpstream, startEchoUpstream } from "../helpers/echo-upstream";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";
import { failure, newNamespace, recordingClient } from "../helpers/upstream-client";

let kv: LocalKv;

beforeAll(async () => {
  kv = await startLocalKv();
});
afterAll(() => kv.close());
afterEach(() => {
  kv.faults.reset();
});

const client = (options: Partial<HttpUpstreamOptions> & { server?: LocalKv } = {}) => recordingClient({ server: kv, ...options });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("typed errors", () => {
  test("a wrong token is unauthorized, with the upstream's message, and is not retried", async () => {
    const { upstream, requests } = client({ apiToken: "wrong-token" });
    const error = await failure(upstream.listNamespaces());
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toBe("Authentication error");
    expect(error.details).toMatchObject({ status: 403, code: 10000 });
    expect(requests).toHaveLength(1);
  });

  test("an unknown namespace is not_found, for namespace and key operations alike", async () => {
    const { upstream, requests } = client();
    const unknown = "0".repeat(32);
    const error = await failure(upstream.getNamespace(unknown));
    expect(error).toMatchObject({ kind: "not_found", message: "namespace not found", details: { status: 404, code: 10013 } });
    expect((await failure(upstream.listKeys(unknown, {}))).kind).toBe("not_found");
    expect((await failure(upstream.putValue(unknown, "k", "v"))).kind).toBe("not_found");
    // getValue's and streamValue's null means "no such key"; a missing namespace is not that.
    expect((await failure(upstream.getValue(unknown, "k"))).kind).toBe("not_found");
    expect((await failure(upstream.streamValue(unknown, "k"))).kind).toBe("not_found");
    // not_found is an answer, not a failure to retry.
    expect(requests).toHaveLength(5);
  });

  test("a duplicate title is a conflict, on create and on rename", async () => {
    const { upstream } = client();
    const title = `dup-${crypto.randomUUID()}`;
    await upstream.createNamespace(title);
    const error = await failure(upstream.createNamespace(title));
    expect(error.kind).toBe("conflict");
    expect(error.message).toBe("a namespace with this account ID and title already exists");
    expect(error.details.code).toBe(10014);
    const other = await upstream.createNamespace(`${title}-2`);
    expect((await failure(upstream.renameNamespace(other.id, title))).kind).toBe("conflict");
  });

  test("oversized metadata is refused as invalid with the upstream's explanation, not retried", async () => {
    const { upstream, requests } = client();
    const ns = await newNamespace(upstream);
    requests.length = 0;
    const error = await failure(upstream.putValue(ns, "k", "v", { metadata: { blob: "x".repeat(2000) } }));
    expect(error.kind).toBe("invalid");
    expect(error.details).toMatchObject({ status: 400, code: 10047 });
    expect(error.message).toMatch(/^Metadata is at most 1024 bytes when serialized; this is \d+\.$/);
    expect(requests).toHaveLength(1);
    expect(await upstream.getValue(ns, "k")).toBeNull();
  });

  test("an expiry too soon is invalid with the upstream's message", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const error = await failure(upstream.putValue(ns, "k", "v", { expirationTtl: 10 }));
    expect(error).toMatchObject({ kind: "invalid", details: { code: 10034 } });
    expect(error.message).toMatch(/at least 60 seconds/);
  });

  describe("rate limit 2/5s", () => {
    let limited: LocalKv;
    beforeAll(async () => {
      // Its clock stands still: the window never passes between these requests however slow the
      // machine, and every 429 says Retry-After: 60, far beyond what a client may wait inline.
      limited = await startLocalKv({ db: kv.db, rateLimit: "2/60s", rateLimitClock: () => 1_000_000_000 });
    });
    afterAll(() => limited.close());

    test("after the budget: rate_limited with Retry-After, then later calls fail fast without sending", async () => {
      const { upstream, requests } = client({ server: limited });
      const ns = (await limited.store.createNamespace(limited.accountId, `rl-${crypto.randomUUID()}`))!.id;
      await upstream.getNamespace(ns);
      await upstream.listKeys(ns, {});
      expect(requests).toHaveLength(2);

      const error = await failure(upstream.getNamespace(ns));
      expect(error.kind).toBe("rate_limited");
      expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(error.details.retryAfterSeconds).toBeLessThanOrEqual(60);
      // It did not sit out the 60 s Retry-After inside an interactive request (and retry: the
      // limiter's clock stands still, so a retry would be a 4th request, refused again).
      expect(requests).toHaveLength(3);

      // Spending more of the budget would only push the window out: nothing is sent now.
      const again = await failure(upstream.listKeys(ns, {}));
      expect(again.kind).toBe("rate_limited");
      expect(again.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((await failure(upstream.putValue(ns, "k", "v"))).kind).toBe("rate_limited");
      expect(requests).toHaveLength(3);
    });

    test("a write refused with 429 carries the upstream's message and Retry-After and is not retried", async () => {
      // A fresh client that has not seen the 429 yet; the budget is still spent.
      const { upstream, requests } = client({ server: limited });
      const error = await failure(upstream.createNamespace(`rl-${crypto.randomUUID()}`));
      expect(error.kind).toBe("rate_limited");
      expect(error.message).toMatch(/^More than 2 requests per 60 seconds reached/);
      expect(error.details).toMatchObject({ status: 429, code: 10022 });
      expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(requests).toHaveLength(1);
    });
  });

  test("a short Retry-After (≤ 2 s) is waited out and the safe request retried", async () => {
    let answered429 = false;
    const once429: typeof fetch = async (input, init) => {
      if (!answered429) {
        answered429 = true;
        const body = { success: false, errors: [{ code: 10022, message: "Please wait" }], messages: [], result: null };
        return new Response(JSON.stringify(body), { status: 429, headers: { "content-type": "application/json", "retry-after": "1" } });
      }
      return fetch(input, init);
    };
    const { upstream, requests } = client({ fetch: once429 });
    const started = Date.now();
    const namespaces = await upstream.listNamespaces();
    expect(Array.isArray(namespaces)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
  });

  test("5xx on every request: a GET is retried exactly `retries` times, then unavailable", async () => {
    const { upstream: setup } = client();
    const ns = await newNamespace(setup);
    kv.setFaults({ error: 1 });

    const twice = client();
    const error = await failure(twice.upstream.listKeys(ns, {}));
    expect(error.kind).toBe("unavailable");
    expect(error.details.status === 500 || error.details.status === 503).toBe(true);
    expect(error.message).toMatch(/\(kvdeck fault injection\)$/);
    expect(twice.requests).toHaveLength(3); // default retries: 2

    const once = client({ retries: 1 });
    expect((await failure(once.upstream.getValue(ns, "k"))).kind).toBe("unavailable");
    expect(once.requests).toHaveLength(2);

    const never = client({ retries: 0 });
    expect((await failure(never.upstream.getNamespace(ns))).kind).toBe("unavailable");
    expect(never.requests).toHaveLength(1);
  });

  test("5xx on createNamespace is not retried (it is not idempotent)", async () => {
    kv.setFaults({ error: 1 });
    const { upstream, requests } = client({ retries: 3 });
    const title = `no-retry-${crypto.randomUUID()}`;
    const error = await failure(upstream.createNamespace(title));
    expect(error.kind).toBe("unavailable");
    expect(requests).toEqual([{ method: "POST", path: expect.stringMatching(/\/storage\/kv\/namespaces$/) }]);
    kv.faults.reset();
    expect((await client().upstream.listNamespaces()).some((n) => n.title === title)).toBe(false);
  });

  test("a server that is down is unavailable (safe requests retried, creates not)", async () => {
    const doomed = await startLocalKv({ db: kv.db });
    await doomed.close();
    const { upstream, requests } = client({ server: doomed, retries: 1 });
    const error = await failure(upstream.listNamespaces());
    expect(error.kind).toBe("unavailable");
    expect(error.message).toMatch(/^The upstream could not be reached/);
    expect(requests).toHaveLength(2);

    requests.length = 0;
    expect((await failure(upstream.createNamespace("x"))).kind).toBe("unavailable");
    expect(requests).toHaveLength(1);
  });

  test("no answer within timeoutMs is a timeout", async () => {
    const { upstream: setup } = client();
    const ns = await newNamespace(setup);
    kv.setFaults({ latencyMs: 2000 });
    const { upstream, requests } = client({ timeoutMs: 300, retries: 1 });
    const started = Date.now();
    const error = await failure(upstream.getNamespace(ns));
    const elapsed = Date.now() - started;
    expect(error.kind).toBe("timeout");
    expect(requests).toHaveLength(2);
    // Two attempts of 300 ms and a short backoff, each abandoned: had the client waited the 2 s
    // the server takes, the call would have succeeded (so no upper bound on a loaded machine).
    expect(elapsed).toBeGreaterThanOrEqual(550);
    kv.faults.reset();
    // Let the abandoned requests finish on the server before the next test.
    await sleep(2100 - elapsed);
  });
});

describe("upstream text that echoes the token", () => {
  let echo: EchoUpstream;
  beforeAll(async () => {
    echo = await startEchoUpstream();
  });
  afterAll(() => echo.close());

  test("the UpstreamError's message has every form of the token redacted, for JSON errors and plain-text 5xx alike", async () => {
    const token = "echo-me-0123456789abcdef+/=";
    const upstream = createHttpUpstream({ accountId: "ab".repeat(16), apiToken: token, baseUrl: echo.baseUrl, retries: 0 });
    for (const [mode, kind] of [
      ["json-400", "invalid"],
      ["json-403", "forbidden"],
      ["text-500", "unavailable"],
    ] as const) {
      echo.mode = mode;
      for (const run of [
        () => upstream.listNamespaces(),
        () => upstream.putValue("0".repeat(32), "k", "v"),
        () => upstream.bulkDelete("0".repeat(32), ["a", "b"]),
      ]) {
        const error = await failure(run());
        expect(error.kind, mode).toBe(kind);
        expect(error.message, mode).toContain("[redacted]");
        for (const form of [token, encodeURIComponent(token), "echo-me-0123456789"]) expect(error.message, mode).not.toContain(form);
        expect(JSON.stringify(error), mode).not.toContain("echo-me");
      }
    }
  });
});
