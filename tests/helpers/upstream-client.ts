// What the upstream-client tests share: a client whose every attempt is recorded, the error a call
// failed with, a fresh namespace.
import crypto from "node:crypto";
import { createHttpUpstream, type HttpUpstreamOptions } from "~/kv/cloudflare.server";
import { UpstreamError } from "~/kv/errors";
import type { KvUpstream } from "~/kv/upstream.server";
import type { LocalKv } from "./local-kv";

export interface SentRequest {
  method: string;
  path: string;
}

/** A client of `server` whose every attempt (including retries and failed connections) is recorded. */
export function recordingClient(options: Partial<HttpUpstreamOptions> & { server: LocalKv }) {
  const { server, fetch: inner = fetch, ...rest } = options;
  const requests: SentRequest[] = [];
  const counting: typeof fetch = (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    // The SDK probes fetch with a `data:` URL before its first multipart upload: not a request.
    if (url.protocol !== "data:") requests.push({ method: init?.method ?? "GET", path: decodeURIComponent(url.pathname) });
    return inner(input, init);
  };
  const upstream = createHttpUpstream({
    accountId: server.accountId,
    apiToken: server.token,
    baseUrl: server.baseUrl,
    fetch: counting,
    ...rest,
  });
  return { upstream, requests };
}

export async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export async function newNamespace(upstream: KvUpstream, prefix = "ns") {
  return (await upstream.createNamespace(`${prefix}-${crypto.randomUUID()}`)).id;
}
