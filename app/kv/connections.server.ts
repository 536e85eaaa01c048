// Upstream accounts ("connections"): the rows of the connections table, and the one
// KvUpstream per connection that the rest of the app uses. SQL for `connections` lives here.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { connections, type Connection } from "~/db/schema";
import type { SecretBox } from "~/auth/secrets.server";
import { CatalogStore } from "~/catalog/store.server";
import { withCatalog } from "~/catalog/upstream.server";
import { registerSecret } from "~/utils/redact.server";
import type { BudgetRegistry, RequestBudget, UpstreamBudget } from "./budget.server";
import { createHttpUpstream } from "./cloudflare.server";
import type { KvUpstream } from "./upstream.server";

/** How the dashboard reaches its own local KV API. */
export interface LocalKvTarget {
  /** Known once the server listens (its port may be chosen by the OS). */
  baseUrl: () => string;
  token: () => string;
}

/** A connection as the browser may see it: never the token. */
export interface ConnectionSummary {
  id: number;
  name: string;
  kind: Connection["kind"];
  accountId: string;
}

export const summarize = (c: Connection): ConnectionSummary => ({ id: c.id, name: c.name, kind: c.kind, accountId: c.accountId });

export class ConnectionRegistry {
  private readonly upstreams = new Map<number, { key: string; upstream: KvUpstream }>();
  /** The namespace catalogs (app/catalog): every upstream built here keeps them in step with kvdeck's own writes. */
  readonly catalog: CatalogStore;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly local: LocalKvTarget | null,
    /** One request budget per token, shared by every upstream built here; null: none. */
    private readonly budgets: BudgetRegistry | null = null,
    options: { catalogMaxBytes?: number } = {},
  ) {
    this.catalog = new CatalogStore(db, options.catalogMaxBytes);
  }

  async list(): Promise<Connection[]> {
    return this.db.select().from(connections).orderBy(asc(connections.id));
  }

  async get(id: number): Promise<Connection | null> {
    const [row] = await this.db.select().from(connections).where(eq(connections.id, id));
    return row ?? null;
  }

  /** Whether this process serves a local KV API that `local` connections reach. */
  get servesLocalKv(): boolean {
    return this.local !== null;
  }

  /** Adds a connection (from the admin page); a Cloudflare token is sealed before it is stored. */
  async create(input: {
    name: string;
    kind: Connection["kind"];
    accountId: string;
    baseUrl?: string | null;
    token?: string | null;
  }): Promise<Connection> {
    if (input.kind === "cloudflare" && !input.token) throw new Error("kvdeck: a Cloudflare connection needs an API token");
    registerSecret(input.token);
    const [created] = await this.db
      .insert(connections)
      .values({
        name: input.name,
        kind: input.kind,
        accountId: input.accountId,
        baseUrl: input.kind === "cloudflare" ? (input.baseUrl ?? null) : null,
        tokenCiphertext: input.kind === "cloudflare" ? this.secrets.seal(input.token!) : null,
        source: "ui",
      })
      .returning();
    return created;
  }

  /** Deletes a connection added in the UI (environment ones return at the next start); null when there was none. */
  async remove(id: number): Promise<Connection | null> {
    const [removed] = await this.db
      .delete(connections)
      .where(and(eq(connections.id, id), eq(connections.source, "ui")))
      .returning();
    this.upstreams.delete(id);
    return removed ?? null;
  }

  /** The upstream of a connection, built once and rebuilt when its row changes. */
  async upstreamFor(connection: Connection): Promise<KvUpstream> {
    const cacheKey = [connection.kind, connection.accountId, connection.baseUrl, connection.tokenCiphertext].join("|");
    const known = this.upstreams.get(connection.id);
    if (known?.key === cacheKey) return known.upstream;
    const upstream = this.build(connection);
    this.upstreams.set(connection.id, { key: cacheKey, upstream });
    return upstream;
  }

  /**
   * A fresh upstream (not cached) whose requests pass through `budget`, given the token's shared
   * budget, and that retries `retries` times: a job's, which counts and paces its own requests.
   */
  upstreamWith(
    connection: Connection,
    options: { budget: (shared: RequestBudget | null) => UpstreamBudget; retries?: number },
  ): KvUpstream {
    return this.build(connection, options);
  }

  private build(
    connection: Connection,
    options: { budget?: (shared: RequestBudget | null) => UpstreamBudget; retries?: number } = {},
  ): KvUpstream {
    let target: { apiToken: string; baseUrl?: string };
    if (connection.kind === "local") {
      if (!this.local) throw new Error("kvdeck: this process serves no local KV API");
      target = { apiToken: this.local.token(), baseUrl: connection.baseUrl ?? this.local.baseUrl() };
    } else {
      if (!connection.tokenCiphertext) throw new Error(`kvdeck: connection ${connection.id} has no token`);
      target = { apiToken: this.secrets.open(connection.tokenCiphertext), baseUrl: connection.baseUrl ?? undefined };
    }
    // Every token in use is redacted from upstream text, the audit log and the server log.
    registerSecret(target.apiToken);
    const shared = this.budgets?.forToken(target.apiToken, connection.kind) ?? null;
    const upstream = createHttpUpstream({
      accountId: connection.accountId,
      ...target,
      budget: options.budget ? options.budget(shared) : shared?.hook("interactive"),
      retries: options.retries,
    });
    // The one place upstreams are built: kvdeck's own writes update the namespace's catalog at once.
    return withCatalog(upstream, this.catalog, connection.id);
  }

  /**
   * Keeps the environment's connection in step with the environment: Cloudflare's account when
   * CLOUDFLARE_API_TOKEN/ACCOUNT_ID are set, otherwise the local KV API's demo account.
   */
  async syncFromEnv(
    spec: { kind: "cloudflare"; accountId: string; token: string; baseUrl?: string } | { kind: "local"; accountId: string },
  ) {
    if (spec.kind === "cloudflare") registerSecret(spec.token);
    const name = spec.kind === "local" ? "Local KV API" : `Cloudflare ${spec.accountId.slice(0, 8)}`;
    const values = {
      name,
      kind: spec.kind,
      accountId: spec.accountId,
      baseUrl: spec.kind === "cloudflare" ? (spec.baseUrl ?? null) : null,
      tokenCiphertext: spec.kind === "cloudflare" ? this.secrets.seal(spec.token) : null,
      source: "env" as const,
    };
    const [existing] = await this.db
      .select()
      .from(connections)
      .where(and(eq(connections.source, "env"), eq(connections.kind, spec.kind), eq(connections.accountId, spec.accountId)));
    if (existing) {
      const sameToken = spec.kind === "local" || (existing.tokenCiphertext && this.secrets.open(existing.tokenCiphertext) === spec.token);
      if (sameToken && existing.baseUrl === values.baseUrl) return existing;
      const [updated] = await this.db.update(connections).set(values).where(eq(connections.id, existing.id)).returning();
      return updated;
    }
    const [created] = await this.db.insert(connections).values(values).returning();
    return created;
  }
}
