// Clients for a local KV API under test: the official cloudflare SDK (what real users run) and raw
// fetch (for what the SDK cannot express). Both go through a fetch that validates every response
// against the OpenAPI schemas; a test file asserts `violations` is empty after each test.
import Cloudflare from "cloudflare";
import type { LocalKv } from "./local-kv";
import { validatingFetch } from "./openapi";

export interface RawOptions {
  body?: BodyInit | unknown[] | Record<string, unknown>;
  headers?: Record<string, string>;
  /** Overrides the bearer token; null sends no Authorization header. */
  token?: string | null;
}

export function kvClients(kv: Pick<LocalKv, "baseUrl" | "token" | "accountId">, sdkOptions: { maxRetries?: number } = {}) {
  const violations: string[] = [];
  const checkedFetch = validatingFetch(violations);
  const sdk = new Cloudflare({
    apiToken: kv.token,
    baseURL: kv.baseUrl,
    maxRetries: sdkOptions.maxRetries ?? 0,
    fetch: checkedFetch,
  });

  /** A raw request to `path` under /client/v4; plain objects and arrays are sent as JSON. */
  function raw(method: string, path: string, options: RawOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? kv.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body = options.body as BodyInit | undefined;
    if (Array.isArray(options.body) || isPlainObject(options.body)) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const init: RequestInit & { duplex?: "half" } = { method, headers, body };
    // fetch insists on this for a streamed body.
    if (body instanceof ReadableStream) init.duplex = "half";
    return checkedFetch(`${kv.baseUrl}${path}`, init);
  }

  const account = `/accounts/${kv.accountId}/storage/kv/namespaces`;
  return {
    sdk,
    raw,
    violations,
    accountId: kv.accountId,
    /** /accounts/{account}/storage/kv/namespaces[/{ns}] */
    path: (namespaceId?: string) => (namespaceId ? `${account}/${namespaceId}` : account),
    /** Creates a namespace with a unique title through the SDK. */
    async namespace(prefix = "ns"): Promise<string> {
      const created = await sdk.kv.namespaces.create({ account_id: kv.accountId, title: `${prefix}-${crypto.randomUUID()}` });
      return created.id;
    },
  };
}

export type KvClients = ReturnType<typeof kvClients>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** The first Cloudflare error of an SDK failure: { status, code }. */
export async function sdkFailure(
  promise: Promise<unknown>,
): Promise<{ status: number | undefined; code: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Cloudflare.APIError) {
      const first = error.errors[0] as { code?: number; message?: string } | undefined;
      return { status: error.status, code: first?.code, message: first?.message ?? error.message };
    }
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** A Cloudflare failure envelope as the local KV API sends it. */
export interface FailureEnvelope {
  success: boolean;
  result: unknown;
  errors: { code: number; message: string }[];
  messages?: unknown[];
}

/** Status and first error code of a raw failure envelope. */
export async function rawFailure(response: Response): Promise<{ status: number; code: number; body: FailureEnvelope }> {
  const body = (await response.json()) as FailureEnvelope;
  if (body.success !== false || body.result !== null) throw new Error(`not a failure envelope: ${JSON.stringify(body)}`);
  return { status: response.status, code: body.errors[0]?.code, body };
}
