// The recycle bin's tables (deletions, deleted_keys, recycle_settings): the copies kvdeck keeps of
// what it deletes, written before the delete, read back by restores and downloads, gone after the
// retention or when an admin empties them. Key names and metadata are stored as key-text escapes
// them (~/db/key-text); values as their bytes.
import { and, asc, desc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import { type Db, rowsOf } from "~/db/client.server";
import { escapeKeyText, unescapeKeyText } from "~/db/key-text";
import { type Deletion, deletedKeys, deletions, recycleSettings } from "~/db/schema";
import { formatBytes } from "~/utils/format";
import { DEFAULT_RECYCLE_SETTINGS, type RecycleSettings } from "./settings";

/** The copy of one key as the upstream held it. */
export interface KeyCopy {
  key: string;
  value: Uint8Array;
  metadata?: unknown;
  /** Absolute epoch seconds. */
  expiration?: number;
}

/** A copied key as the bin lists it: no value. */
export interface CopiedKey {
  key: string;
  size: number;
  metadata?: unknown;
  expiration: number | null;
}

export interface DeletionSummary extends Deletion {
  /** The first keys still held, in key order. */
  sample: string[];
}

export type DeletionOperation = Deletion["operation"];

/** A copy would take the connection's copies past its cap: nothing of it is written. */
export class RecycleBinFull extends Error {
  readonly name = "RecycleBinFull";
  constructor(
    readonly heldBytes: number,
    readonly neededBytes: number,
    readonly capBytes: number,
  ) {
    super(
      `The recycle bin is full: this connection's copies take ${formatBytes(heldBytes)} of its ${formatBytes(capBytes)} cap and these ` +
        `keys need ${formatBytes(neededBytes)} more, so they were not deleted. Empty deletions from the recycle bin, ask an admin ` +
        `to raise the cap, or delete without a copy.`,
    );
  }
}

const SAMPLE = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

export class RecycleStore {
  constructor(private readonly db: Db) {}

  async settings(connectionId: number): Promise<RecycleSettings> {
    const [row] = await this.db.select().from(recycleSettings).where(eq(recycleSettings.connectionId, connectionId));
    return row ? { copyByDefault: row.copyByDefault, retentionDays: row.retentionDays, capBytes: row.capBytes } : DEFAULT_RECYCLE_SETTINGS;
  }

  async saveSettings(connectionId: number, settings: RecycleSettings): Promise<void> {
    const values = { ...settings, updatedAt: new Date() };
    await this.db
      .insert(recycleSettings)
      .values({ connectionId, ...values })
      .onConflictDoUpdate({ target: recycleSettings.connectionId, set: values });
  }

  /** Bytes the copies of a connection's deletes take. */
  async heldBytes(connectionId: number): Promise<number> {
    const [row] = await this.db
      .select({ bytes: sql<string>`coalesce(sum(${deletions.bytes}), 0)` })
      .from(deletions)
      .where(eq(deletions.connectionId, connectionId));
    return Number(row.bytes);
  }

  /** Starts (or, for a job that resumes, finds) the record of a deletion; its retention counts from now. */
  async open(deletion: {
    id: string;
    connectionId: number;
    namespaceId: string;
    operation: DeletionOperation;
    description: string;
    createdBy: string | null;
  }): Promise<void> {
    const { retentionDays } = await this.settings(deletion.connectionId);
    await this.db
      .insert(deletions)
      .values({ ...deletion, expiresAt: new Date(Date.now() + retentionDays * DAY_MS) })
      .onConflictDoNothing();
  }

  /**
   * Writes copies in one transaction, or none of them: a copy that would take the connection past
   * its cap throws RecycleBinFull. A key already copied for this deletion keeps its first copy (a
   * job's batch replayed after a crash reads keys it may have deleted already).
   */
  async addCopies(deletionId: string, copies: KeyCopy[]): Promise<{ added: string[]; bytes: number }> {
    if (copies.length === 0) return { added: [], bytes: 0 };
    const rows = copies.map((c) => {
      const metadata = c.metadata === undefined || c.metadata === null ? null : JSON.stringify(c.metadata);
      return {
        deletionId,
        key: escapeKeyText(c.key),
        value: c.value,
        metadata,
        expiration: c.expiration ?? null,
        size: c.value.byteLength + (metadata ? Buffer.byteLength(metadata) : 0),
      };
    });
    const needed = rows.reduce((n, r) => n + r.size, 0);
    return this.db.transaction(async (tx) => {
      const [deletion] = await tx.select({ connectionId: deletions.connectionId }).from(deletions).where(eq(deletions.id, deletionId));
      if (!deletion) throw new Error(`No deletion ${deletionId} to add copies to.`);
      // One writer per connection at a time: the cap holds across concurrent deletes.
      await tx.execute(sql`select id from connections where id = ${deletion.connectionId} for update`);
      const [settings] = await tx.select().from(recycleSettings).where(eq(recycleSettings.connectionId, deletion.connectionId));
      const cap = settings?.capBytes ?? DEFAULT_RECYCLE_SETTINGS.capBytes;
      const [held] = await tx
        .select({ bytes: sql<string>`coalesce(sum(${deletions.bytes}), 0)` })
        .from(deletions)
        .where(eq(deletions.connectionId, deletion.connectionId));
      if (Number(held.bytes) + needed > cap) throw new RecycleBinFull(Number(held.bytes), needed, cap);
      const added: string[] = [];
      let bytes = 0;
      for (const chunk of byCount(rows, 500)) {
        const inserted = await tx
          .insert(deletedKeys)
          .values(chunk)
          .onConflictDoNothing()
          .returning({ key: deletedKeys.key, size: deletedKeys.size });
        for (const row of inserted) added.push(unescapeKeyText(row.key));
        bytes += inserted.reduce((n, r) => n + r.size, 0);
      }
      await tx
        .update(deletions)
        .set({ keys: sql`${deletions.keys} + ${added.length}`, bytes: sql`${deletions.bytes} + ${bytes}` })
        .where(eq(deletions.id, deletionId));
      return { added, bytes };
    });
  }

  async deletion(id: string): Promise<Deletion | null> {
    const [row] = await this.db.select().from(deletions).where(eq(deletions.id, id));
    return row ?? null;
  }

  /** A namespace's deletions, newest first, each with a sample of the keys it still holds. */
  async list(connectionId: number, namespaceId: string, limit = 100): Promise<DeletionSummary[]> {
    const rows = await this.db
      .select()
      .from(deletions)
      .where(and(eq(deletions.connectionId, connectionId), eq(deletions.namespaceId, namespaceId)))
      .orderBy(desc(deletions.createdAt), desc(deletions.id))
      .limit(limit);
    if (rows.length === 0) return [];
    const samples = await rowsOf<{ deletion_id: string; key: string }>(
      this.db,
      sql`select d.id as deletion_id, k.key from unnest(${sql.param(rows.map((r) => r.id))}::text[]) as d(id)
          cross join lateral (select key from deleted_keys where deletion_id = d.id order by key limit ${SAMPLE}) k`,
    );
    const byDeletion = new Map<string, string[]>();
    for (const s of samples) byDeletion.set(s.deletion_id, [...(byDeletion.get(s.deletion_id) ?? []), unescapeKeyText(s.key)]);
    return rows.map((r) => ({ ...r, sample: byDeletion.get(r.id) ?? [] }));
  }

  /** The keys a deletion still holds, in key order, a page at a time. */
  async keys(deletionId: string, options: { after?: string | null; limit: number }): Promise<CopiedKey[]> {
    const rows = await this.db
      .select({ key: deletedKeys.key, size: deletedKeys.size, metadata: deletedKeys.metadata, expiration: deletedKeys.expiration })
      .from(deletedKeys)
      .where(
        and(eq(deletedKeys.deletionId, deletionId), options.after != null ? gt(deletedKeys.key, escapeKeyText(options.after)) : undefined),
      )
      .orderBy(asc(deletedKeys.key))
      .limit(options.limit);
    return rows.map(({ metadata, ...r }) => ({
      ...r,
      key: unescapeKeyText(r.key),
      ...(metadata !== null ? { metadata: JSON.parse(metadata) as unknown } : {}),
    }));
  }

  /** Copies with their values: of the given keys, or a page of all in key order. */
  async copies(deletionId: string, which: { keys: string[] } | { after: string | null; limit: number }): Promise<KeyCopy[]> {
    const where =
      "keys" in which
        ? and(eq(deletedKeys.deletionId, deletionId), inArray(deletedKeys.key, which.keys.map(escapeKeyText)))
        : and(eq(deletedKeys.deletionId, deletionId), which.after != null ? gt(deletedKeys.key, escapeKeyText(which.after)) : undefined);
    if ("keys" in which && which.keys.length === 0) return [];
    const query = this.db
      .select({ key: deletedKeys.key, value: deletedKeys.value, metadata: deletedKeys.metadata, expiration: deletedKeys.expiration })
      .from(deletedKeys)
      .where(where)
      .orderBy(asc(deletedKeys.key));
    const rows = "keys" in which ? await query : await query.limit(which.limit);
    return rows.map((r) => ({
      key: unescapeKeyText(r.key),
      value: r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value as ArrayLike<number>),
      ...(r.metadata !== null ? { metadata: JSON.parse(r.metadata) as unknown } : {}),
      ...(r.expiration !== null ? { expiration: r.expiration } : {}),
    }));
  }

  /** The restored keys' copies go; the deletion counts them as restored. Returns how many went. */
  markRestored(deletionId: string, keys: string[]): Promise<number> {
    return this.drop(deletionId, keys, "restored");
  }

  /** Copies of keys that were not deleted after all (the rest of their batch could not be copied) go, uncounted. */
  discard(deletionId: string, keys: string[]): Promise<number> {
    return this.drop(deletionId, keys, "discarded");
  }

  private async drop(deletionId: string, keys: string[], as: "restored" | "discarded"): Promise<number> {
    if (keys.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      let count = 0;
      let bytes = 0;
      for (const chunk of byCount(keys.map(escapeKeyText), 5_000)) {
        const gone = await tx
          .delete(deletedKeys)
          .where(and(eq(deletedKeys.deletionId, deletionId), inArray(deletedKeys.key, chunk)))
          .returning({ size: deletedKeys.size });
        count += gone.length;
        bytes += gone.reduce((n, r) => n + r.size, 0);
      }
      const counted =
        as === "restored" ? { restoredKeys: sql`${deletions.restoredKeys} + ${count}` } : { keys: sql`${deletions.keys} - ${count}` };
      await tx
        .update(deletions)
        .set({ ...counted, bytes: sql`greatest(${deletions.bytes} - ${bytes}, 0)` })
        .where(eq(deletions.id, deletionId));
      return count;
    });
  }

  /** Empties one deletion (its copies go for good); returns the keys it still held, or null when there is none. */
  async remove(deletionId: string): Promise<{ keys: number; bytes: number } | null> {
    const [gone] = await this.db
      .delete(deletions)
      .where(eq(deletions.id, deletionId))
      .returning({ keys: deletions.keys, restored: deletions.restoredKeys, bytes: deletions.bytes });
    return gone ? { keys: gone.keys - gone.restored, bytes: gone.bytes } : null;
  }

  /** Empties a namespace's bin; returns the deletions and keys that went. */
  async emptyNamespace(connectionId: number, namespaceId: string): Promise<{ deletions: number; keys: number }> {
    const gone = await this.db
      .delete(deletions)
      .where(and(eq(deletions.connectionId, connectionId), eq(deletions.namespaceId, namespaceId)))
      .returning({ keys: deletions.keys, restored: deletions.restoredKeys });
    return { deletions: gone.length, keys: gone.reduce((n, g) => n + g.keys - g.restored, 0) };
  }

  /** Removes deletions past their retention; returns how many went. */
  async prune(now = new Date()): Promise<number> {
    const gone = await this.db.delete(deletions).where(lt(deletions.expiresAt, now)).returning({ id: deletions.id });
    return gone.length;
  }
}

function* byCount<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
