// KVDECK_RATE_LIMIT over HTTP: Cloudflare's Ratelimit / Ratelimit-Policy headers on every answer
// (successes, errors and raw values alike), Retry-After on a 429, and the lockout option
// (`1200/300s,lockout=300s`): past the limit every call is refused until it has passed. The
// limiter's clock is injected, so nothing sleeps.
import Cloudflare from "cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalKv, startLocalKv } from "./helpers/local-kv";
import { validatingFetch } from "./helpers/openapi";

let kv: LocalKv;
let ns: string;
const limited: LocalKv[] = [];
const violations: string[] = [];

beforeAll(async () => {
  kv = await startLocalKv();
  ns = (await kv.store.createNamespace(kv.accountId, "rate-limit"))!.id;
});
afterAll(async () => {
  for (const api of limited.splice(0)) await api.close();
  await kv.close();
  expect(violations).toEqual([]);
});

/** A local KV API with `spec` as its budget, on a clock the test moves. */
async function limitedApi(spec: string) {
  let now = 1_000_000_000;
  const api = await startLocalKv({ db: kv.db, rateLimit: spec, rateLimitClock: () => now });
  limited.push(api);
  const { baseUrl, token } = api;
  const checked = validatingFetch(violations);
  const send = (method: string, path: string, body?: string) =>
    checked(`${baseUrl}/accounts/${kv.accountId}/storage/kv/namespaces${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${token}` },
    });
  return {
    baseUrl,
    send,
    advance: (ms: number) => (now += ms),
    sdk: new Cloudflare({ apiToken: token, baseURL: baseUrl, maxRetries: 0, fetch: checked }),
  };
}

const rateHeaders = (res: Response) => ({
  ratelimit: res.headers.get("ratelimit"),
  policy: res.headers.get("ratelimit-policy"),
  retryAfter: res.headers.get("retry-after"),
});

describe("rate limit headers", () => {
  it("sends Ratelimit and Ratelimit-Policy on every answer: JSON, raw values and errors", async () => {
    const api = await limitedApi("5/300s");
    const policy = '"burst";q=5;w=300';
    expect(rateHeaders(await api.send("PUT", `/${ns}/values/k`, "v"))).toEqual({
      ratelimit: '"default";r=4;t=300',
      policy,
      retryAfter: null,
    });
    api.advance(10_000);
    const value = await api.send("GET", `/${ns}/values/k`);
    expect(await value.text()).toBe("v");
    expect(rateHeaders(value)).toEqual({ ratelimit: '"default";r=3;t=290', policy, retryAfter: null });
    // A refused request (404) and a malformed one (400) still carry them: they count.
    const missing = await api.send("GET", `/${ns}/values/missing`);
    expect(missing.status).toBe(404);
    expect(rateHeaders(missing)).toEqual({ ratelimit: '"default";r=2;t=290', policy, retryAfter: null });
    const bad = await api.send("GET", `/${ns}/keys?limit=1e20`);
    expect(bad.status).toBe(400);
    expect(rateHeaders(bad).ratelimit).toBe('"default";r=1;t=290');
    const identity = await api.sdk.user.tokens.verify().withResponse();
    expect(rateHeaders(identity.response).ratelimit).toBe('"default";r=0;t=290');

    const refused = await api.send("GET", `/${ns}/keys`);
    expect(refused.status).toBe(429);
    expect(rateHeaders(refused)).toEqual({ ratelimit: '"default";r=0;t=290', policy, retryAfter: "290" });
    const body = await refused.json();
    expect(body).toMatchObject({ success: false, result: null, errors: [{ code: 10022 }] });
    expect(body.errors[0].message).toMatch(/More than 5 requests per 300 seconds/);

    // Without a lockout the sliding window frees a request as soon as the oldest one leaves it.
    api.advance(290_000);
    expect((await api.send("GET", `/${ns}/keys`)).status).toBe(200);
  });

  it("with lockout=300s refuses every call for 300 s once over the limit, with Retry-After counting down", async () => {
    const api = await limitedApi("2/10s,lockout=300s");
    expect((await api.send("GET", `/${ns}/keys`)).status).toBe(200);
    expect((await api.send("GET", `/${ns}/keys`)).status).toBe(200);
    const over = await api.send("GET", `/${ns}/keys`);
    expect(over.status).toBe(429);
    expect(rateHeaders(over)).toEqual({ ratelimit: '"default";r=0;t=300', policy: '"burst";q=2;w=10', retryAfter: "300" });
    expect((await over.json()).errors[0].message).toMatch(/every call is refused for 300 seconds/);

    // The window (10 s) has long passed, but the lockout holds, for every route.
    api.advance(60_000);
    for (const [method, path] of [
      ["GET", `/${ns}/keys`],
      ["GET", ""],
      ["PUT", `/${ns}/values/k`],
    ]) {
      const res = await api.send(method, path, method === "PUT" ? "v" : undefined);
      expect(res.status, `${method} ${path}`).toBe(429);
      expect(rateHeaders(res).retryAfter).toBe("240");
    }
    expect((await api.sdk.accounts.list().catch((e: unknown) => e)) as { status?: number }).toMatchObject({ status: 429 });

    api.advance(240_000);
    const after = await api.send("GET", `/${ns}/keys`);
    expect(after.status).toBe(200);
    expect(rateHeaders(after)).toMatchObject({ ratelimit: '"default";r=1;t=10', retryAfter: null });
  });

  it("sends no rate limit headers without KVDECK_RATE_LIMIT", async () => {
    const res = await fetch(`${kv.baseUrl}/accounts/${kv.accountId}/storage/kv/namespaces`, {
      headers: { authorization: `Bearer ${kv.token}` },
    });
    expect(res.status).toBe(200);
    expect(rateHeaders(res)).toEqual({ ratelimit: null, policy: null, retryAfter: null });
  });
});
