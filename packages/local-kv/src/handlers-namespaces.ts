// Namespace operations: list, create, get, rename, delete. Namespaces are scoped per account id.
import { MAX_NAMESPACES_PER_ACCOUNT, NAMESPACE_TITLE_MAX_CHARS } from "./limits";
import { ErrorCode, KvApiError, badRequest, notFound } from "./errors";
import { invalidRequest, parseJson, readBody, sendResult } from "./http";
import type { RequestContext } from "./routes";
import type { NamespaceOrder } from "./store";
import { isPlainObject } from "./validate";

const TITLE_BODY_CAP = 64 * 1024;
const PER_PAGE_DEFAULT = 20;
/** The 2026 schema allows up to 1000 (the 2024 one said 100); accept the larger. */
const PER_PAGE_MAX = 1000;

export const namespaceNotFound = () => notFound(ErrorCode.namespaceNotFound, "namespace not found");

export async function listNamespaces(ctx: RequestContext) {
  const page = positiveInt(ctx.query, "page", 1, Number.MAX_SAFE_INTEGER);
  const perPage = positiveInt(ctx.query, "per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX);
  const order = oneOf(ctx.query, "order", ["id", "title"] as const, "id") as NamespaceOrder;
  const direction = oneOf(ctx.query, "direction", ["asc", "desc"] as const, "asc");
  const { namespaces, total } = await ctx.store.listNamespaces(ctx.accountId, { page, perPage, order, direction });
  sendResult(ctx.res, namespaces, {
    count: namespaces.length,
    page,
    per_page: perPage,
    total_count: total,
    total_pages: Math.ceil(total / perPage),
  });
}

/** Serializes creates per account so two concurrent ones cannot both pass the namespace cap. */
const createQueue = new Map<string, Promise<unknown>>();

export async function createNamespace(ctx: RequestContext) {
  const title = await readTitle(ctx);
  const previous = createQueue.get(ctx.accountId) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      if ((await ctx.store.countNamespaces(ctx.accountId)) >= MAX_NAMESPACES_PER_ACCOUNT) {
        throw badRequest(ErrorCode.tooManyNamespaces, `An account can have at most ${MAX_NAMESPACES_PER_ACCOUNT} namespaces.`);
      }
      return ctx.store.createNamespace(ctx.accountId, title);
    });
  createQueue.set(ctx.accountId, run);
  try {
    const created = await run;
    if (!created) throw titleTaken();
    sendResult(ctx.res, created);
  } finally {
    if (createQueue.get(ctx.accountId) === run) createQueue.delete(ctx.accountId);
  }
}

export async function getNamespace(ctx: RequestContext) {
  const found = await ctx.store.getNamespace(ctx.accountId, ctx.namespaceId);
  if (!found) throw namespaceNotFound();
  sendResult(ctx.res, found);
}

export async function renameNamespace(ctx: RequestContext) {
  const title = await readTitle(ctx);
  const outcome = await ctx.store.renameNamespace(ctx.accountId, ctx.namespaceId, title);
  if (outcome === "missing") throw namespaceNotFound();
  if (outcome === "taken") throw titleTaken();
  // The 2026 schema (and SDK 7.x) expect the renamed namespace back; the 2024 one allowed null.
  sendResult(ctx.res, { id: ctx.namespaceId, title, supports_url_encoding: true });
}

export async function deleteNamespace(ctx: RequestContext) {
  if (!(await ctx.store.deleteNamespace(ctx.accountId, ctx.namespaceId))) throw namespaceNotFound();
  sendResult(ctx.res, null);
}

const titleTaken = () => badRequest(ErrorCode.namespaceTitleExists, "a namespace with this account ID and title already exists");

async function readTitle(ctx: RequestContext): Promise<string> {
  const body = parseJson(await readBody(ctx.req, TITLE_BODY_CAP, "The request body"), "the request body");
  const title = isPlainObject(body) ? body.title : undefined;
  if (typeof title !== "string" || title.trim() === "") {
    throw invalidRequest('The body must be a JSON object with a non-empty string "title".');
  }
  if (title.includes("\u0000")) throw invalidRequest("A namespace title cannot contain U+0000.");
  if (Array.from(title).length > NAMESPACE_TITLE_MAX_CHARS) {
    throw invalidRequest(`A namespace title is at most ${NAMESPACE_TITLE_MAX_CHARS} characters.`);
  }
  return title;
}

function positiveInt(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new KvApiError(400, ErrorCode.invalidRequest, `${name} must be a whole number from 1 to ${max}.`);
  }
  return value;
}

function oneOf<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw invalidRequest(`${name} must be one of ${allowed.join(", ")}.`);
  }
  return text as T;
}
