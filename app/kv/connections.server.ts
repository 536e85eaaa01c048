// Upstream accounts ("connections"): the rows of the connections table, and the one
// KvUpstream per connection that the rest of the app uses. SQL for `connections` lives here.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { connections, type Connection } from "~/db/schema";
import type { SecretBox } from "~/auth/secrets.server";
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

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly local: LocalKvTarget | null,
  ) {}

  async list(): Promise<Connection[]> {
    return this.db.select().from(connections).orderBy(asc(connections.id));
  }

  async get(id: number): Promise<Connection | null> {
    const [row] = await this.db.select().from(connections).where(eq(connections.id, id));
    return row ?? null;
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

  private build(connection: Connection): KvUpstream {
    if (connection.kind === "local") {
      if (!this.local) throw new Error("kvdeck: this process serves no local KV API");
      return createHttpUpstream({
        accountId: connection.accountId,
        apiToken: this.local.token(),
        baseUrl: connection.baseUrl ?? this.local.baseUrl(),
      });
    }
    if (!connection.tokenCiphertext) throw new Error(`kvdeck: connection ${connection.id} has no token`);
    return createHttpUpstream({
      accountId: connection.accountId,
      apiToken: this.secrets.open(connection.tokenCiphertext),
      baseUrl: connection.baseUrl ?? undefined,
    });
  }

  /**
   * Keeps the environment's connection in step with the environment: Cloudflare's account when
   * CLOUDFLARE_API_TOKEN/ACCOUNT_ID are set, otherwise the local KV API's demo account.
   */
  async syncFromEnv(spec: { kind: "cloudflare"; accountId: string; token: string; baseUrl?: string } | { kind: "local"; accountId: string }) {
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
