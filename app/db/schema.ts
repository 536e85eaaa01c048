// kvdeck's database schema: tables first, then inferred types.
// Key-name columns use COLLATE "C" so Postgres orders them by UTF-8 bytes, as Workers KV does,
// and a btree on them serves prefix ranges.
import { type SQL, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { keyName } from "@kvdeck/local-kv/schema";
import { JOB_KINDS, JOB_STATES } from "../jobs/types";

// ---- kvdeck's local KV API: its tables belong to packages/local-kv (their SQL is in its store) ----
// Re-exported so drizzle-kit's snapshot of this schema, whose first migration created them, still
// sees them (docs/decisions/011-local-kv-package.md).

export { localKvEntries, localKvNamespaces, localKvPending } from "@kvdeck/local-kv/schema";

// ---- kvdeck itself ----

/** An upstream account kvdeck talks to: Cloudflare's API or the local KV API. */
export const connections = pgTable("connections", {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull(),
  kind: text({ enum: ["cloudflare", "local"] }).notNull(),
  accountId: text("account_id").notNull(),
  /** Null: Cloudflare's default base URL (or, for `local`, this process's own local KV API). */
  baseUrl: text("base_url"),
  /** AES-256-GCM ciphertext of the API token; null for the local KV API (its token is local). */
  tokenCiphertext: text("token_ciphertext"),
  /** Where the row came from: `env` rows are kept in step with the environment at start. */
  source: text({ enum: ["env", "ui"] })
    .notNull()
    .default("ui"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const settings = pgTable("settings", {
  name: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

// ---- the optimistic resource cache (owned by app/cache/resource-cache.server.ts) ----

/** One mark per (scope, item): written atomically, replaced by a newer operation, cleared by its own. */
export const overlays = pgTable(
  "overlays",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** `<account id>/<namespace id>` for keys, `<account id>/namespaces` for namespaces. */
    scope: text().notNull(),
    resourceId: keyName("resource_id").notNull(),
    opId: text("op_id").notNull(),
    intent: text({ enum: ["delete", "create", "update", "process"] }).notNull(),
    status: text({ enum: ["deleting", "creating", "updating", "processing", "retrying", "error"] }).notNull(),
    data: jsonb(),
    expected: jsonb(),
    progress: doublePrecision(),
    stage: text(),
    message: text(),
    error: text(),
    retryCount: integer("retry_count").notNull().default(0),
    maxRetries: integer("max_retries").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [uniqueIndex("overlays_scope_resource").on(t.scope, t.resourceId), index("overlays_op").on(t.opId)],
);

/** Marks that hide every key matching a rule (a purge), owned by the job that does the work. */
export const overlayRules = pgTable(
  "overlay_rules",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    scope: text().notNull(),
    opId: text("op_id").notNull(),
    rule: jsonb().notNull(),
    status: text({ enum: ["deleting", "processing"] }).notNull(),
    progress: doublePrecision(),
    message: text(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("overlay_rules_scope").on(t.scope), index("overlay_rules_op").on(t.opId)],
);

export type Connection = typeof connections.$inferSelect;
export type NewConnection = typeof connections.$inferInsert;

// ---- auth and audit ----
// users: app/auth/users.server.ts; sessions: app/auth/sessions.server.ts;
// sign_in_failures: app/auth/throttle.server.ts; audit_events: app/audit/audit.server.ts.

/** A person who signs in. Usernames are stored lower-case; roles as in app/auth/roles.ts. */
export const users = pgTable(
  "users",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    username: text().notNull(),
    role: text({ enum: ["viewer", "editor", "admin"] }).notNull(),
    /** scrypt with its salt and parameters (app/auth/password.server.ts). */
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_username").on(t.username)],
);

/** A signed-in browser. The id is the SHA-256 of the cookie's token, so a copy of the table signs nobody in. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** Absolute end, however active the session is; the idle end is last_seen_at + the idle timeout. */
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    ip: text(),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user").on(t.userId), index("sessions_expires_at").on(t.expiresAt)],
);

/** Failed sign-ins within the throttling window, counted per username and per client address. */
export const signInFailures = pgTable(
  "sign_in_failures",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    username: text().notNull(),
    ip: text().notNull(),
  },
  (t) => [index("sign_in_failures_username_at").on(t.username, t.at), index("sign_in_failures_ip_at").on(t.ip, t.at)],
);

/** Who did what to which resource, and how it went. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** Null once the user is deleted (the username stays) or when nobody was signed in. */
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    /** The actor; for `auth.sign_in_failed`, the username that was tried. */
    username: text(),
    /** `<resource>.<verb>`, e.g. `key.delete`, `auth.sign_in`. */
    action: text().notNull(),
    /** What was acted on, e.g. `connection 1 / namespace abc / key k`, or null. */
    target: text(),
    count: integer(),
    outcome: text({ enum: ["ok", "partial", "failed"] }).notNull(),
    details: jsonb(),
  },
  (t) => [
    index("audit_events_at").on(t.at),
    index("audit_events_action_at").on(t.action, t.at),
    index("audit_events_username_at").on(t.username, t.at),
  ],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;

// ---- jobs (owned by app/jobs/store.server.ts and app/jobs/store/) ----

/** The sets of job_keys. */
export const JOB_KEY_SETS = ["selected", "file", "existing", "planned"] as const;

/** A check that `column` holds one of `values` (constants of the code, inlined into the DDL). */
const oneOf = (column: AnyPgColumn, values: readonly string[]): SQL =>
  sql`${column} in (${sql.raw(values.map((value) => `'${value.replace(/'/g, "''")}'`).join(", "))})`;

/**
 * A durable job: what to do (kind, payload), where it stands (state, counters, checkpoint) and who
 * holds it (a lease that a heartbeat renews; a lapsed lease lets another runner take over).
 */
export const jobs = pgTable(
  "jobs",
  {
    id: text().primaryKey(),
    kind: text({ enum: JOB_KINDS }).notNull(),
    connectionId: integer("connection_id").notNull(),
    namespaceId: text("namespace_id").notNull(),
    payload: jsonb().notNull(),
    state: text({ enum: JOB_STATES }).notNull().default("queued"),
    /**
     * A pause was requested while a live runner held the job: the row stays `running` (or
     * `queued`) until that runner has finished its batches in flight and lets go, writing `paused`.
     */
    pauseRequested: boolean("pause_requested").notNull().default(false),
    dryRun: boolean("dry_run").notNull().default(false),
    /** Keys (or import items) read from the source. */
    scanned: bigint({ mode: "number" }).notNull().default(0),
    matched: bigint({ mode: "number" }).notNull().default(0),
    /** processed = succeeded + failed + skipped, always. */
    processed: bigint({ mode: "number" }).notNull().default(0),
    succeeded: bigint({ mode: "number" }).notNull().default(0),
    failed: bigint({ mode: "number" }).notNull().default(0),
    skipped: bigint({ mode: "number" }).notNull().default(0),
    totalEstimate: bigint("total_estimate", { mode: "number" }),
    /** The step the job is in (e.g. "validate", "write"). */
    phase: text(),
    checkpoint: jsonb(),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true, mode: "date" }),
    /** How many times a runner took the job. */
    attempts: integer().notNull().default(0),
    /** Keys per second, recently. */
    rate: doublePrecision(),
    /** Source pages read (upstream list pages, import file pages, key-set pages). */
    pagesScanned: bigint("pages_scanned", { mode: "number" }).notNull().default(0),
    /** Time runners spent running the job, over all its runs (pauses and queues not counted). */
    runningMs: bigint("running_ms", { mode: "number" }).notNull().default(0),
    /** Once finished: processed keys per second over running_ms. */
    averageRate: doublePrecision("average_rate"),
    /** Takeovers in a row after a runner stopped holding it without saving progress (bounded). */
    stalledTakeovers: integer("stalled_takeovers").notNull().default(0),
    requestsUsed: bigint("requests_used", { mode: "number" }).notNull().default(0),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    error: text(),
    result: jsonb(),
  },
  (t) => [
    index("jobs_state_created").on(t.state, t.createdAt),
    index("jobs_created").on(t.createdAt),
    index("jobs_namespace_state").on(t.connectionId, t.namespaceId, t.state),
    check("jobs_kind_check", oneOf(t.kind, JOB_KINDS)),
    check("jobs_state_check", oneOf(t.state, JOB_STATES)),
  ],
);

/** The per-key error report of a job. */
export const jobErrors = pgTable(
  "job_errors",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    key: keyName().notNull(),
    error: text().notNull(),
    at: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("job_errors_job").on(t.jobId, t.id)],
);

/**
 * Key sets a job works through without holding them in memory: the keys of a delete-selected job
 * (`selected`), an import file's keys with their lines (`file`), keys that already exist in a
 * target namespace (`existing`), the exact keys a plan (a dry run) found to match (`planned`).
 */
export const jobKeys = pgTable(
  "job_keys",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    set: text({ enum: JOB_KEY_SETS }).notNull(),
    key: keyName().notNull(),
    line: integer(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.set, t.key] }), check("job_keys_set_check", oneOf(t.set, JOB_KEY_SETS))],
);

/**
 * The write-ahead of a pipeline's batches in flight (app/jobs/pipeline.server.ts): a batch's keys,
 * saved before its requests are sent and removed by the checkpoint write that counts its outcome,
 * so a resume replays what a crash left unaccounted for.
 */
export const jobInflight = pgTable(
  "job_inflight",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    /** The batch's id within its pipeline run (its first item's sequence number). */
    batch: integer().notNull(),
    /** The batch's keys in the order sent, each stored escaped (~/db/key-text). */
    keys: jsonb().$type<string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.batch] })],
);

// ---- the namespace catalog (owned by app/catalog/store.server.ts) ----

export const CATALOG_STATES = ["building", "ready"] as const;

/**
 * A namespace's catalog: kvdeck's own index of its keys, built by listing the upstream with
 * metadata and kept in step by kvdeck's own writes. `scan` numbers the listings (index, then each
 * refresh); a key carries the scan that last saw it, so a finished refresh knows what vanished.
 */
export const catalogs = pgTable(
  "catalogs",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    connectionId: integer("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    namespaceId: text("namespace_id").notNull(),
    /** `building` until its first listing has finished: searches answer with what it has, and say so. */
    state: text({ enum: CATALOG_STATES }).notNull().default("building"),
    /** The listing under way or last finished (0: none yet). */
    scan: integer().notNull().default(0),
    /** The job running the listing under way, if any. */
    scanJobId: text("scan_job_id"),
    scanStartedAt: timestamp("scan_started_at", { withTimezone: true, mode: "date" }),
    /** When the last finished listing started: every key written upstream before this is in the catalog. */
    asOf: timestamp("as_of", { withTimezone: true, mode: "date" }),
    /** Keys in catalog_keys, kept by every change (no count(*) on a page load). */
    keyCount: bigint("key_count", { mode: "number" }).notNull().default(0),
    /** Bytes of names and metadata held, kept like key_count; the cap applies to it. */
    bytes: bigint({ mode: "number" }).notNull().default(0),
    /** Refresh schedule: a refresh is queued this long after the last one finished; null: by hand. */
    refreshEveryMs: bigint("refresh_every_ms", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("catalogs_namespace").on(t.connectionId, t.namespaceId),
    check("catalogs_state_check", oneOf(t.state, CATALOG_STATES)),
  ],
);

/** One row per key of a catalogued namespace. */
export const catalogKeys = pgTable(
  "catalog_keys",
  {
    catalogId: integer("catalog_id")
      .notNull()
      .references(() => catalogs.id, { onDelete: "cascade" }),
    /** Stored escaped (~/db/key-text), ordered by bytes like the upstream's listing. */
    key: keyName().notNull(),
    metadata: jsonb(),
    /** Bytes of the metadata as serialized JSON (0 without). */
    metadataBytes: integer("metadata_bytes").notNull().default(0),
    /** Absolute, epoch seconds; null: never expires. */
    expiration: bigint({ mode: "number" }),
    /** The catalog scan that last saw the key listed (or kvdeck's own write during it). */
    seenScan: integer("seen_scan").notNull(),
    /** The scan in which the key first appeared in the catalog. */
    addedScan: integer("added_scan").notNull(),
    seenAt: timestamp("seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.catalogId, t.key] }),
    index("catalog_keys_expiration")
      .on(t.catalogId, t.expiration)
      .where(sql`expiration is not null`),
    index("catalog_keys_metadata").using("gin", t.metadata.op("jsonb_path_ops")),
  ],
);

/** Each finished listing of a catalog: what it found, for growth between refreshes. */
export const catalogScans = pgTable(
  "catalog_scans",
  {
    catalogId: integer("catalog_id")
      .notNull()
      .references(() => catalogs.id, { onDelete: "cascade" }),
    scan: integer().notNull(),
    jobId: text("job_id"),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }).notNull(),
    keys: bigint({ mode: "number" }).notNull(),
    /** Keys this listing found that the catalog did not hold. */
    added: bigint({ mode: "number" }).notNull(),
    /** Keys the catalog held that this listing no longer found. */
    removed: bigint({ mode: "number" }).notNull(),
    bytes: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.catalogId, t.scan] })],
);

export const CATALOG_FIGURE_SUBJECTS = ["overview", "tree"] as const;

/**
 * Figures of a catalog kept in the database (app/catalog/store.server.ts writes them; stats.server.ts
 * and prefixes.server.ts compute them): the overview's clock-free figures and the prefix tree's first
 * level, per delimiter, computed when a listing finishes and again after kvdeck's own changes, so a
 * process that has not computed them yet answers from one row. `version` is the catalog's version
 * (stats.server.ts's catalogVersion) the figures describe; `body`'s strings are stored escaped.
 */
export const catalogFigures = pgTable(
  "catalog_figures",
  {
    catalogId: integer("catalog_id")
      .notNull()
      .references(() => catalogs.id, { onDelete: "cascade" }),
    subject: text({ enum: CATALOG_FIGURE_SUBJECTS }).notNull(),
    /** The delimiter asked for ("auto" or one character), escaped like a key name. */
    delimiter: text().notNull(),
    version: text().notNull(),
    body: jsonb().notNull(),
    /** When the computation of these figures began. */
    computedAt: timestamp("computed_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.catalogId, t.subject, t.delimiter] }),
    check("catalog_figures_subject_check", oneOf(t.subject, CATALOG_FIGURE_SUBJECTS)),
  ],
);

// ---- the recycle bin (owned by app/recycle/store.server.ts) ----

/** Raw bytes (a value exactly as the upstream holds it). */
const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

/** A connection's recycle bin settings; a connection without a row has the defaults of app/recycle/settings.ts. */
export const recycleSettings = pgTable("recycle_settings", {
  connectionId: integer("connection_id")
    .primaryKey()
    .references(() => connections.id, { onDelete: "cascade" }),
  /** Whether a delete keeps a restorable copy unless the person skips it. */
  copyByDefault: boolean("copy_by_default").notNull(),
  retentionDays: integer("retention_days").notNull(),
  /** The most bytes of copies the connection's bins hold together. */
  capBytes: bigint("cap_bytes", { mode: "number" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const DELETION_OPERATIONS = ["delete", "delete-selected", "purge", "move"] as const;

/**
 * One delete kvdeck made with a copy kept: an inline delete (its id is the delete's opId) or a
 * job's (its id is the job's). `keys` counts the keys copied, `restored_keys` those restored since
 * (a restored key's copy goes); `bytes` is what the copies still held take.
 */
export const deletions = pgTable(
  "deletions",
  {
    id: text().primaryKey(),
    connectionId: integer("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    namespaceId: text("namespace_id").notNull(),
    operation: text({ enum: DELETION_OPERATIONS }).notNull(),
    /** What was deleted, for people: "3 selected keys", "Purge prefix cache:". */
    description: text().notNull(),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** When the retention ends and the copies go. */
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    keys: bigint({ mode: "number" }).notNull().default(0),
    restoredKeys: bigint("restored_keys", { mode: "number" }).notNull().default(0),
    bytes: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [
    index("deletions_namespace_created").on(t.connectionId, t.namespaceId, t.createdAt),
    index("deletions_expires").on(t.expiresAt),
    check("deletions_operation_check", oneOf(t.operation, DELETION_OPERATIONS)),
  ],
);

/** The copy of one deleted key: value bytes, metadata (its JSON text, as the upstream returned it) and expiry. */
export const deletedKeys = pgTable(
  "deleted_keys",
  {
    deletionId: text("deletion_id")
      .notNull()
      .references(() => deletions.id, { onDelete: "cascade" }),
    /** Escaped (~/db/key-text). */
    key: keyName().notNull(),
    value: bytes().notNull(),
    metadata: text(),
    /** Absolute epoch seconds, or null. */
    expiration: bigint({ mode: "number" }),
    /** Value bytes plus metadata bytes: what the copy counts against the cap. */
    size: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.deletionId, t.key] })],
);

export type Deletion = typeof deletions.$inferSelect;

export type Catalog = typeof catalogs.$inferSelect;
export type CatalogKey = typeof catalogKeys.$inferSelect;
export type CatalogScan = typeof catalogScans.$inferSelect;
export type CatalogFigures = typeof catalogFigures.$inferSelect;

export type Job = typeof jobs.$inferSelect;
export type NewJob = typeof jobs.$inferInsert;
export type JobErrorRow = typeof jobErrors.$inferSelect;
