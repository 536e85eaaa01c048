// Maps a request path (relative to /client/v4) to one of the Workers KV operations. Done by hand
// instead of Express patterns because key names arrive percent-encoded, may contain "/", and must
// be decoded exactly once; Express would decode them itself and a WHATWG URL would even fold
// "%2E" segments into "." ones.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Faults } from "./faults";
import type { LocalKvStore } from "./store";

export type RouteKind = "namespaces" | "namespace" | "keys" | "value" | "metadata" | "bulk" | "bulkDelete" | "bulkGet";

export interface MatchedRoute {
  kind: RouteKind;
  /** As written in the path (not yet checked). */
  accountId: string;
  namespaceId?: string;
  /** Still percent-encoded: the handler decodes it, so a bad encoding answers a KV error. */
  rawKey?: string;
}

const BASE = /^\/accounts\/([^/]+)\/storage\/kv\/namespaces(?:\/(.*))?$/;

export function splitUrl(url: string): { pathname: string; query: URLSearchParams } {
  const q = url.indexOf("?");
  return q < 0
    ? { pathname: url, query: new URLSearchParams() }
    : { pathname: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}

export function matchRoute(pathname: string): MatchedRoute | null {
  const m = BASE.exec(pathname);
  if (!m) return null;
  const accountId = m[1];
  const rest = m[2];
  if (rest === undefined || rest === "") return { kind: "namespaces", accountId };
  const slash = rest.indexOf("/");
  const namespaceId = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? "" : rest.slice(slash + 1);
  if (namespaceId === "") return null;
  const base = { accountId, namespaceId };
  switch (tail) {
    case "":
      return { kind: "namespace", ...base };
    case "keys":
      return { kind: "keys", ...base };
    case "bulk":
      return { kind: "bulk", ...base };
    case "bulk/delete":
      return { kind: "bulkDelete", ...base };
    case "bulk/get":
      return { kind: "bulkGet", ...base };
  }
  if (tail.startsWith("values/")) return { kind: "value", ...base, rawKey: tail.slice("values/".length) };
  if (tail.startsWith("metadata/")) return { kind: "metadata", ...base, rawKey: tail.slice("metadata/".length) };
  return null;
}

/** What every operation handler gets: the request, the checked ids and the shared services. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  accountId: string;
  /** Checked to exist in this account (for every route but "namespaces"). */
  namespaceId: string;
  /** Decoded and checked (for "value" and "metadata"). */
  key: string;
  store: LocalKvStore;
  faults: Faults;
}
