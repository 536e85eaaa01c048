// kvdeck's local KV API: the Workers KV REST API (see docs/local-kv-api.md) over
// LocalKvStore, as an Express router mounted at /client/v4. Real clients (the cloudflare SDK,
// wrangler) must not be able to tell it from api.cloudflare.com, so every answer is a Cloudflare
// envelope with Cloudflare's error codes, including auth failures, 429s, 413s and unknown routes.
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import express from "express";
import { ErrorCode, KvApiError } from "./errors";
import { FaultError, Faults } from "./faults";
import { bulkDelete, bulkGet, bulkWrite } from "./handlers-bulk";
import { deleteValue, listKeys, readMetadata, readValue, writeValue } from "./handlers-keys";
import { accountNotAccessible, serveIdentity } from "./handlers-identity";
import { createNamespace, deleteNamespace, getNamespace, listNamespaces, namespaceNotFound, renameNamespace } from "./handlers-namespaces";
import { invalidRequest, parseJson, readBody, sendError, sendResult } from "./http";
import type { RateLimit } from "./rate-limit";
import { type RequestContext, type RouteKind, matchRoute, splitUrl } from "./routes";
import type { LocalKvStore } from "./store";
import { checkKeyName, isPlainObject } from "./validate";

/** The account the local KV API serves unless told otherwise (KVDECK_LOCAL_ACCOUNT_ID's default). */
export const DEFAULT_LOCAL_ACCOUNT_ID = "c0ffee00c0ffee00c0ffee00c0ffee00";

export interface LocalKvApiOptions {
  store: LocalKvStore;
  /** The one account the token reaches (32 hex digits); any other answers 403 / 10000. */
  accountId?: string;
  /** A function lets the host rotate the token without remounting. */
  token: string | (() => string);
  rateLimit?: RateLimit | null;
  /** Defaults to no faults; the control endpoint can still turn some on. */
  faults?: Faults;
}

type Handler = (ctx: RequestContext) => Promise<void>;

const OPERATIONS: Record<RouteKind, Partial<Record<string, Handler>>> = {
  namespaces: { GET: listNamespaces, POST: createNamespace },
  namespace: { GET: getNamespace, PUT: renameNamespace, DELETE: deleteNamespace },
  keys: { GET: listKeys },
  value: { GET: readValue, PUT: writeValue, DELETE: deleteValue },
  metadata: { GET: readMetadata },
  bulk: { PUT: bulkWrite, DELETE: bulkDelete },
  bulkDelete: { POST: bulkDelete },
  bulkGet: { POST: bulkGet },
};

const ACCOUNT_ID = /^[0-9a-f]{32}$/i;
const NAMESPACE_ID = /^[0-9a-f]{32}$/;
const CONTROL_PREFIX = "/__kvdeck/";
const CONTROL_BODY_CAP = 64 * 1024;
const BURST_RETRY_AFTER_SECONDS = 1;

// Cloudflare answers a missing or wrong token with HTTP 403 and code 10000 "Authentication error"
// (what wrangler prints as "Authentication error [code: 10000]"), not with 401. Clients treat it as
// a permission problem and do not retry it, so we do the same.
const authError = () => new KvApiError(403, ErrorCode.authentication, "Authentication error");
const noRoute = () => new KvApiError(404, ErrorCode.noRoute, "No route for the URI");

/** The router, and a way to wait for the requests it is handling (a client that gave up does not end its handler). */
export type LocalKvApi = express.Router & { idle(): Promise<void> };

export function createLocalKvApi(options: LocalKvApiOptions): LocalKvApi {
  const faults = options.faults ?? new Faults();
  const currentToken = typeof options.token === "function" ? options.token : () => options.token as string;
  const accountId = (options.accountId ?? DEFAULT_LOCAL_ACCOUNT_ID).toLowerCase();
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`local KV API: the account id must be 32 hex digits, not "${accountId}"`);
  const router = express.Router();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const presented = bearerToken(req.headers.authorization);
    if (presented === null || !sameToken(presented, currentToken())) throw authError();
    const { pathname, query } = splitUrl(req.url ?? "/");
    if (pathname.startsWith(CONTROL_PREFIX)) return control(req, res, pathname.slice(CONTROL_PREFIX.length));

    if (options.rateLimit) {
      const decision = options.rateLimit.take(presented);
      const headers = options.rateLimit.headers(decision);
      // On every answer to this request, whatever it turns out to be (the envelope writers keep them).
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      if (!decision.ok) throw rateLimited(options.rateLimit, headers);
    }
    if (!faults.inactive) await injectFaults(faults);

    if (serveIdentity(res, req.method ?? "", pathname, query, { accountId, token: presented })) return;
    const route = matchRoute(pathname);
    const handler = route && OPERATIONS[route.kind][req.method ?? ""];
    if (!route || !handler) throw noRoute();
    if (!ACCOUNT_ID.test(route.accountId)) {
      throw new KvApiError(404, ErrorCode.noRoute, `Could not route to ${pathname}, perhaps your object identifier is invalid?`);
    }
    // A well-formed id of an account the token cannot reach: Cloudflare's answer, not an empty list.
    if (route.accountId.toLowerCase() !== accountId) throw accountNotAccessible();
    const ctx: RequestContext = {
      req,
      res,
      query,
      accountId: route.accountId.toLowerCase(),
      namespaceId: "",
      key: "",
      store: options.store,
      faults,
    };
    if (route.rawKey !== undefined) ctx.key = decodeKey(route.rawKey);
    if (route.namespaceId !== undefined) {
      ctx.namespaceId = route.namespaceId;
      // A namespace only exists inside its account: another account's id answers "not found".
      const exists = NAMESPACE_ID.test(ctx.namespaceId) && (await options.store.getNamespace(ctx.accountId, ctx.namespaceId));
      if (!exists) throw namespaceNotFound();
    }
    if (!faults.inactive && (route.kind === "keys" || route.kind === "bulkDelete"))
      await faults.hold(route.kind === "keys" ? "list" : "bulkDelete");
    await handler(ctx);
  }

  /** Test and demo controls, outside the Cloudflare paths; same token, but no budget and no faults. */
  async function control(req: IncomingMessage, res: ServerResponse, name: string) {
    const method = req.method ?? "";
    if (name === "faults" && method === "GET") return sendResult(res, faults.settings);
    if (name === "faults" && method === "DELETE") return sendResult(res, faults.reset());
    if (name === "faults" && method === "PUT") {
      const body = await readControlBody(req);
      try {
        return sendResult(res, faults.update(body));
      } catch (error) {
        if (error instanceof FaultError) throw invalidRequest(error.message);
        throw error;
      }
    }
    if (name === "consistency" && method === "GET") {
      return sendResult(res, { delayMs: options.store.consistencyDelayMs });
    }
    if (name === "consistency" && method === "PUT") {
      const { delayMs } = await readControlBody(req);
      if (typeof delayMs !== "number" || !Number.isInteger(delayMs) || delayMs < 0) {
        throw invalidRequest('"delayMs" must be a whole number of milliseconds ≥ 0.');
      }
      options.store.consistencyDelayMs = delayMs;
      return sendResult(res, { delayMs });
    }
    throw noRoute();
  }

  const handling = new Set<Promise<void>>();
  router.use((req, res) => {
    const work = handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      if (error instanceof KvApiError) return sendError(res, error);
      // Anything else is a bug in kvdeck, not the client's doing: say so loudly.
      console.error("local KV API: unexpected error", error);
      sendError(res, new KvApiError(500, ErrorCode.internal, "Internal error"));
    });
    handling.add(work);
    void work.finally(() => handling.delete(work));
  });
  return Object.assign(router, {
    async idle() {
      while (handling.size > 0) await Promise.allSettled([...handling]);
    },
  });
}

async function readControlBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = parseJson(await readBody(req, CONTROL_BODY_CAP, "The request body"), "the request body");
  if (!isPlainObject(body)) throw invalidRequest("The body must be a JSON object.");
  return body;
}

async function injectFaults(faults: Faults) {
  const { latencyMs } = faults.settings;
  if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
  if (faults.pickBurst429()) {
    throw new KvApiError(429, ErrorCode.tooManyRequests, "Please wait and consider throttling your request speed", {
      "retry-after": String(BURST_RETRY_AFTER_SECONDS),
    });
  }
  const status = faults.pickError();
  if (status !== null) {
    const message = status === 503 ? "Service unavailable" : "Internal error";
    throw new KvApiError(status, ErrorCode.internal, `${message} (kvdeck fault injection)`);
  }
}

// The wording of Cloudflare's REST limiter. Its code has been seen as 971 in the wild, but the
// published schema requires error codes ≥ 1000 and the reference names 10022, so 10022 it is:
// clients go by the 429 status and Retry-After anyway.
function rateLimited(limit: RateLimit, headers: Record<string, string>) {
  const { requests, windowMs, lockoutMs } = limit.spec;
  const lockout = lockoutMs === undefined ? "" : `; every call is refused for ${lockoutMs / 1000} seconds`;
  return new KvApiError(
    429,
    ErrorCode.tooManyRequests,
    `More than ${requests} requests per ${windowMs / 1000} seconds reached${lockout}. Please wait and consider throttling your request speed`,
    headers,
  );
}

function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return m ? m[1] : null;
}

/** Constant time: hashing first makes both sides the same length whatever was presented. */
function sameToken(presented: string, expected: string): boolean {
  if (expected === "") return false;
  const a = crypto.createHash("sha256").update(presented).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Key names arrive percent-encoded and are decoded exactly once ("%2F" is a "/" in the name). */
function decodeKey(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new KvApiError(400, ErrorCode.illegalKeyName, "The key name in the URL is not valid percent-encoding.");
  }
  // Checked as a name a stored key can have; writeValue refuses what a write may not create.
  return checkKeyName(decoded, "key name", "read");
}
