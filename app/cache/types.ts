// The optimistic resource cache's vocabulary, shared by server and browser. The cache knows no
// upstream: what a rule is, and how ids sort, its callers say (app/features/keys).

/** What an operation intends for an item; it never changes while the mark lives. */
export type OverlayIntent = "delete" | "create" | "update" | "process";

/** Where the mark stands now. */
export type OverlayStatus = "deleting" | "creating" | "updating" | "processing" | "retrying" | "error";

export const STATUS_FOR_INTENT: Record<OverlayIntent, OverlayStatus> = {
  delete: "deleting",
  create: "creating",
  update: "updating",
  process: "processing",
};

/** The `_meta` of an item in a merged list. */
export interface OverlayMeta {
  status: OverlayStatus;
  intent: OverlayIntent;
  opId: string;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  ttlMs: number;
  /** 0..1, or null when unknown. */
  progress: number | null;
  stage: string | null;
  message: string | null;
  error: string | null;
  retryCount: number;
  maxRetries: number;
}

/** What an update or create expects the upstream to list once it has applied it. */
export interface Expectation {
  metadata?: unknown;
  /** Absolute epoch seconds, or null for "no expiry". */
  expiration?: number | null;
  /** Set when the value changed: a listing cannot show values, so confirming it takes a read. */
  valueDigest?: string;
  /**
   * Epoch ms before which no listing confirms the mark. A key restored moments after its delete is
   * listed, stale, with the deleted copy's metadata: that listing says nothing about the restore.
   */
  notBefore?: number;
}

export interface Overlay<T> {
  scope: string;
  resourceId: string;
  opId: string;
  intent: OverlayIntent;
  status: OverlayStatus;
  /** The item as it should look (creates, updates, processing); null for deletes. */
  data: T | null;
  expected: Expectation | null;
  progress: number | null;
  stage: string | null;
  message: string | null;
  error: string | null;
  retryCount: number;
  maxRetries: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

/**
 * The keys a stopped operation is done with, in key order: every key up to `through` (inclusive;
 * null: none) and every key inside one of `ranges` ([first, last], inclusive).
 */
export interface KeysDone {
  through: string | null;
  ranges: [string, string][];
}

/** A mark that hides every matching key without a row per key (a purge in progress); `rule` is the caller's (a KeyRule). */
export interface RuleOverlay<R extends object = object> {
  id: number;
  scope: string;
  opId: string;
  rule: R;
  /** Set once its operation stopped part-way: the rule then hides only these keys (see narrowRules). */
  done?: KeysDone;
  status: "deleting" | "processing";
  progress: number | null;
  message: string | null;
  createdAt: number;
  expiresAt: number;
}

export type WithMeta<T> = T & { _meta?: OverlayMeta };

export function metaOf<T>(o: Overlay<T>, status: OverlayStatus = o.status, error: string | null = o.error): OverlayMeta {
  return {
    status,
    intent: o.intent,
    opId: o.opId,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    expiresAt: o.expiresAt,
    ttlMs: o.expiresAt - o.createdAt,
    progress: o.progress,
    stage: o.stage,
    message: o.message,
    error,
    retryCount: o.retryCount,
    maxRetries: o.maxRetries,
  };
}

/** A mark as the browser shows it before (or without) the server's: for in-flight and just-answered changes. */
export function clientMeta(fields: Pick<OverlayMeta, "status" | "intent"> & Partial<OverlayMeta>): OverlayMeta {
  const now = Date.now();
  return {
    opId: "",
    createdAt: now,
    updatedAt: now,
    expiresAt: now,
    ttlMs: 0,
    progress: null,
    stage: null,
    message: null,
    error: null,
    retryCount: 0,
    maxRetries: 0,
    ...fields,
  };
}
