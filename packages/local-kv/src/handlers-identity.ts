// Identity endpoints clients use to discover their account and check their token before any KV
// call: GET /accounts, GET /accounts/{id}, GET /memberships, GET /user/tokens/verify. The local KV
// API has exactly one account (KVDECK_LOCAL_ACCOUNT_ID) and one token; any other account id is one
// the token cannot reach, which Cloudflare answers with 403 / 10000, not with an empty result.
import crypto from "node:crypto";
import type { ServerResponse } from "node:http";
import { ErrorCode, KvApiError } from "./errors";
import { invalidRequest, sendResult } from "./http";

export interface Identity {
  accountId: string;
  token: string;
}

/** Fixed, so that answers are stable across restarts (the local account has no real history). */
const ACCOUNT_CREATED_ON = "2024-01-01T00:00:00.000000Z";
const PER_PAGE_DEFAULT = 20;
const PER_PAGE_MAX = 50;

export const accountNotAccessible = () => new KvApiError(403, ErrorCode.authentication, "Authentication error");

const hexId = (seed: string) => crypto.createHash("sha256").update(seed).digest("hex").slice(0, 32);

function account(id: string) {
  return {
    id,
    name: "kvdeck local account",
    type: "standard" as const,
    created_on: ACCOUNT_CREATED_ON,
    settings: { enforce_twofactor: false },
  };
}

function membership(accountId: string) {
  const grant = { read: true, write: true };
  return {
    id: hexId(`membership:${accountId}`),
    account: account(accountId),
    api_access_enabled: true,
    status: "accepted" as const,
    roles: ["Administrator"],
    permissions: { analytics: grant, organization: grant },
  };
}

/** Answers an identity route; false when `pathname` is not one. */
export function serveIdentity(res: ServerResponse, method: string, pathname: string, query: URLSearchParams, id: Identity): boolean {
  const path = pathname.replace(/\/+$/, "");
  if (method !== "GET") return false;
  if (path === "/user/tokens/verify") {
    sendResult(res, { id: hexId(`token:${id.token}`), status: "active" }, undefined, [
      { code: 10000, message: "This API Token is valid and active" },
    ]);
    return true;
  }
  if (path === "/accounts") {
    const name = query.get("name");
    listed(res, query, name === null || name === "" || name === account(id.accountId).name ? [account(id.accountId)] : []);
    return true;
  }
  if (path === "/memberships") {
    const status = query.get("status");
    const name = query.get("account.name");
    const match =
      (status === null || status === "" || status === "accepted") && (name === null || name === "" || name === account(id.accountId).name);
    listed(res, query, match ? [membership(id.accountId)] : []);
    return true;
  }
  const single = /^\/accounts\/([^/]+)$/.exec(path);
  if (single) {
    if (single[1].toLowerCase() !== id.accountId) throw accountNotAccessible();
    sendResult(res, account(id.accountId));
    return true;
  }
  return false;
}

/** One page of a V4 page-paginated list (the SDK asks for the next page until one is empty). */
function listed(res: ServerResponse, query: URLSearchParams, all: unknown[]) {
  const page = wholeNumber(query, "page", 1, Number.MAX_SAFE_INTEGER);
  const perPage = wholeNumber(query, "per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX);
  const direction = query.get("direction");
  if (direction !== null && direction !== "" && direction !== "asc" && direction !== "desc") {
    throw invalidRequest("direction must be one of asc, desc.");
  }
  const start = (page - 1) * perPage;
  const items = all.slice(start, start + perPage);
  sendResult(res, items, {
    page,
    per_page: perPage,
    count: items.length,
    total_count: all.length,
    total_pages: Math.ceil(all.length / perPage),
  });
}

function wholeNumber(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) throw invalidRequest(`${name} must be a whole number from 1 to ${max}.`);
  return value;
}
