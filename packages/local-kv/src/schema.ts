// The local KV API's tables. This package owns them: src/store.ts is the only module with SQL for
// them, and drizzle/ holds their migrations (applied by migrateLocalKv, src/migrate.ts). The app's
// schema (app/db/schema.ts) re-exports them, so its own drizzle-kit snapshot, which created them in
// its first migration, still sees the same tables (docs/decisions/011-local-kv-package.md).
// Key names use COLLATE "C" so Postgres orders them by UTF-8 bytes, as Workers KV does, and a
// btree on them serves prefix ranges.
import { sql } from "drizzle-orm";
import { bigint, customType, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/** A key name: text ordered by bytes. */
export const keyName = customType<{ data: string }>({
  dataType: () => 'text COLLATE "C"',
});

/** Raw bytes. */
const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

export const localKvNamespaces = pgTable(
  "local_kv_namespaces",
  {
    id: text().primaryKey(),
    accountId: text("account_id").notNull(),
    title: text().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("local_kv_namespaces_account_title").on(t.accountId, t.title)],
);

/** What a reader sees now. Pending writes move here once the consistency delay has passed. */
export const localKvEntries = pgTable(
  "local_kv_entries",
  {
    namespaceId: text("namespace_id")
      .notNull()
      .references(() => localKvNamespaces.id, { onDelete: "cascade" }),
    key: keyName().notNull(),
    value: bytes().notNull(),
    /** The metadata exactly as serialized JSON (≤ 1024 bytes), or null. */
    metadata: text(),
    /** Absolute expiry in epoch seconds, or null. */
    expiration: bigint({ mode: "number" }),
  },
  (t) => [
    primaryKey({ columns: [t.namespaceId, t.key] }),
    index("local_kv_entries_expiration")
      .on(t.expiration)
      .where(sql`expiration is not null`),
  ],
);

/** Writes and deletes accepted but not yet visible (the configured consistency delay). */
export const localKvPending = pgTable(
  "local_kv_pending",
  {
    seq: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    namespaceId: text("namespace_id")
      .notNull()
      .references(() => localKvNamespaces.id, { onDelete: "cascade" }),
    key: keyName().notNull(),
    /** Null value means a delete. */
    value: bytes(),
    metadata: text(),
    expiration: bigint({ mode: "number" }),
    /** Epoch milliseconds at which the change becomes visible. */
    visibleAt: bigint("visible_at", { mode: "number" }).notNull(),
  },
  (t) => [index("local_kv_pending_visible_at").on(t.visibleAt)],
);
