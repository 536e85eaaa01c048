// The audit log: who did what to which resource, and how it went. SQL for `audit_events` lives here.
//
// Routes call `recordAudit(context, { action, target, count, outcome, details })`; the actor and
// the client address come from the request's context. Details never keep secrets: values under
// keys that look like tokens, passwords or cookies are replaced before the row is written, and so
// is every secret kvdeck knows (app/utils/redact.server.ts) wherever it occurs in the target or a
// detail's text (e.g. an upstream error that echoed a token).
import type { AppLoadContext } from "@remix-run/node";
import { and, count, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getServices } from "~/context.server";
import type { Db } from "~/db/client.server";
import { auditEvents, type AuditEvent } from "~/db/schema";
import { REDACTED, redact, redactDeep } from "~/utils/redact.server";
import { AUDIT_OUTCOMES, type AuditOutcome } from "./outcomes";

export { AUDIT_OUTCOMES, type AuditOutcome };

/** What a route says about what it did. */
export interface AuditInput {
  /** `<resource>.<verb>`: key.delete, key.put, namespace.create, job.start, user.create, … */
  action: string;
  /** What was acted on, in words: `connection 1 / namespace abc / key k`, or a count's scope. */
  target?: string | null;
  count?: number | null;
  /** Default ok. */
  outcome?: AuditOutcome;
  details?: Record<string, unknown> | null;
}

/** A full event, for `record`: the actor is given explicitly. */
export interface AuditEventInput extends AuditInput {
  userId?: number | null;
  username?: string | null;
  at?: Date;
}

const MAX_DETAILS_CHARS = 8_000;
const MAX_TARGET_CHARS = 1_000;
const SECRET_KEY = /token|password|secret|authorization|cookie|ciphertext/i;

export async function record(db: Db, event: AuditEventInput): Promise<void> {
  await db.insert(auditEvents).values({
    at: event.at,
    userId: event.userId ?? null,
    username: event.username ?? null,
    action: event.action,
    target: event.target ? redact(event.target).slice(0, MAX_TARGET_CHARS) : null,
    count: event.count ?? null,
    outcome: event.outcome ?? "ok",
    details: event.details ? boundedDetails(redactDeep(redactSecrets(event.details) as Record<string, unknown>)) : null,
  });
}

/**
 * Records what the signed-in user just did. Never throws: the change it describes has already
 * happened, so a failed audit write is logged rather than turned into a failed request.
 */
export async function recordAudit(context: AppLoadContext, input: AuditInput): Promise<void> {
  const user = context.user ?? null;
  const ip = context.auth?.clientIp;
  try {
    await record(getServices(context).database.db, {
      ...input,
      userId: user?.id ?? null,
      username: user?.username ?? null,
      details: ip ? { ...input.details, ip } : input.details,
    });
  } catch (error) {
    console.error(redact(`kvdeck: could not write the audit event ${input.action}: ${(error as Error)?.stack ?? error}`));
  }
}

/** ok when nothing failed, failed when nothing succeeded, partial in between. */
export function outcomeOf(succeeded: number, failed: number): AuditOutcome {
  if (failed === 0) return "ok";
  return succeeded === 0 ? "failed" : "partial";
}

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[nested too deep]";
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactSecrets(v, depth + 1)]));
  }
  return value;
}

function boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(details);
  return json.length <= MAX_DETAILS_CHARS ? details : { truncated: true, preview: json.slice(0, MAX_DETAILS_CHARS) };
}

// ---- queries ----

export const auditFilterSchema = z.object({
  user: z.string().trim().max(64).optional().catch(undefined),
  action: z.string().trim().max(64).optional().catch(undefined),
  outcome: z.enum(AUDIT_OUTCOMES).optional().catch(undefined),
  /** YYYY-MM-DD, UTC, inclusive. */
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** The filter a URL's query names; unknown or malformed values are dropped, not errors. */
export function parseAuditFilter(search: URLSearchParams): AuditFilter {
  const raw = Object.fromEntries([...search].filter(([, v]) => v !== ""));
  const parsed = auditFilterSchema.parse(raw);
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as AuditFilter;
}

function whereOf(filter: AuditFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.user) conditions.push(eq(auditEvents.username, filter.user));
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.outcome) conditions.push(eq(auditEvents.outcome, filter.outcome));
  const from = dayStart(filter.from);
  const to = dayStart(filter.to);
  if (from) conditions.push(gte(auditEvents.at, from));
  if (to) conditions.push(lt(auditEvents.at, new Date(to.getTime() + 24 * 60 * 60 * 1000)));
  return conditions.length ? and(...conditions) : undefined;
}

function dayStart(day: string | undefined): Date | null {
  if (!day) return null;
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

export async function listAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: { limit: number; offset: number },
): Promise<{ events: AuditEvent[]; total: number }> {
  const where = whereOf(filter);
  const [events, [totalRow]] = await Promise.all([
    db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(page.limit).offset(page.offset),
    db.select({ n: count() }).from(auditEvents).where(where),
  ]);
  return { events, total: Number(totalRow?.n ?? 0) };
}

/** Every matching event, newest first, a batch at a time (for the CSV export, in constant memory). */
export async function* auditEventsForExport(db: Db, filter: AuditFilter, batchSize = 1_000): AsyncGenerator<AuditEvent[]> {
  let before: number | null = null;
  for (;;) {
    const where = and(whereOf(filter), before === null ? undefined : lt(auditEvents.id, before));
    const batch = await db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(batchSize);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < batchSize) return;
    before = batch[batch.length - 1].id;
  }
}

/** The usernames and actions that occur in the log, for the filter's choices. */
export async function auditFilterChoices(db: Db): Promise<{ usernames: string[]; actions: string[] }> {
  const [usernames, actions] = await Promise.all([
    db.selectDistinct({ v: auditEvents.username }).from(auditEvents).orderBy(auditEvents.username),
    db.selectDistinct({ v: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action),
  ]);
  return {
    usernames: usernames.map((r) => r.v).filter((v): v is string => Boolean(v)),
    actions: actions.map((r) => r.v),
  };
}
