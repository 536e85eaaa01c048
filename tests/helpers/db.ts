// A database for one test file: in-memory PGlite by default; with KVDECK_TEST_DATABASE_URL set, a
// fresh database on that PostgreSQL server, dropped on close, so files running in parallel never
// share rows.
//
// Teardown is ordered and checked. close() first stops whatever registered itself with use() (jobs
// runners, servers), newest first; then waits for the queries in flight; then closes every
// connection (on PostgreSQL, openDatabase's close() waits until each one has really gone, so the
// drop cannot terminate one under the pool: `57P01 terminating connection due to administrator
// command`); then drops the database. A query still running once the users have stopped, or
// attempted once close() has begun, is a leftover of something the test did not stop: it is
// refused with an error naming it, and close() throws, so the file's teardown fails where the
// leftover is, instead of an unhandled rejection surfacing later in whichever file runs next.
import { createPostgresDatabase, loadTemplate } from "@kvdeck/local-kv/testing";
import { type Database, type Db, openDatabase } from "~/db/client.server";
import { Teardown } from "./teardown";

export interface TestDatabase {
  db: Db;
  kind: Database["kind"];
  /** The connection URL of the fresh PostgreSQL database (unset on PGlite, which has none). */
  url?: string;
  /** Registers something that uses the database; close() stops it first. Returns a function that forgets it. */
  use(what: string, stop: () => Promise<void>): () => void;
  /** Stops the users, lets the queries in flight finish, closes the connections, drops the database; throws on leftovers. */
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** PostgreSQL: runs once every connection has closed, just before the drop (this helper's own tests look then). */
  beforeDrop?: () => Promise<void> | void;
  /** Migrations to apply instead of the committed ones (a migration's test starts from an older schema). */
  migrationsFolder?: string;
}

export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = process.env.KVDECK_TEST_DATABASE_URL;
  if (!url) {
    // The run's migrated template (tests/helpers/pglite-template.ts), unless the test brings its own migrations.
    const loadDataDir = options.migrationsFolder ? undefined : loadTemplate("pgliteTemplate");
    return guard(await openDatabase({ migrationsFolder: options.migrationsFolder, loadDataDir }), { label: "test database (PGlite)" });
  }
  return openPostgresDatabase(url, options);
}

async function openPostgresDatabase(url: string, options: TestDatabaseOptions): Promise<TestDatabase> {
  const created = await createPostgresDatabase(url);
  const database = await openDatabase({ url: created.url, migrationsFolder: options.migrationsFolder });
  return guard(database, {
    label: `test database ${created.name}`,
    url: created.url,
    // Every connection of ours is gone by now: (force) only concerns other processes' (job children).
    afterClose: async () => {
      await options.beforeDrop?.();
      await created.drop();
    },
  });
}

/** The client methods every query goes through (drizzle calls them on `db.$client`). */
const QUERY_METHODS: Record<Database["kind"], string[]> = {
  postgres: ["query", "connect"],
  pglite: ["query", "exec", "transaction"],
};

type Client = Record<string, (...args: unknown[]) => unknown> & {
  on?: (event: string, listener: (error: Error) => void) => void;
};

function guard(database: Database, options: { label: string; url?: string; afterClose?: () => Promise<void> }): TestDatabase {
  const { label } = options;
  const client = (database.db as unknown as { $client: Client }).$client;
  const users = new Teardown();
  const inflight = new Map<Promise<unknown>, string>();
  const problems: string[] = [];
  let state: "open" | "closing" | "closed" = "open";

  const track = (promise: Promise<unknown>, what: string) => {
    inflight.set(promise, what);
    const forget = () => inflight.delete(promise);
    promise.then(forget, forget);
  };

  for (const method of QUERY_METHODS[database.kind]) {
    const original = client[method].bind(client);
    client[method] = (...args: unknown[]) => {
      // A callback connect() is the pool's own, inside query(), which is guarded itself.
      if (method === "connect" && typeof args[0] === "function") return original(...args);
      const what = `${method}(${describeQuery(args[0])})`;
      if (state !== "open") {
        const error = new Error(
          `${label}: ${what} after close() began: something the test started is still running; stop it before closing the database`,
        );
        problems.push(error.stack ?? error.message);
        return Promise.reject(error);
      }
      const result = original(...args) as Promise<unknown>;
      if (method === "connect") {
        // A checked-out connection is in use until it is released.
        track(
          result.then((checkedOut) => {
            const connection = checkedOut as { release: (...a: unknown[]) => unknown };
            const release = connection.release;
            return new Promise<void>((resolve) => {
              connection.release = (...a: unknown[]) => {
                connection.release = release;
                resolve();
                return release.apply(connection, a);
              };
            });
          }),
          what,
        );
      } else {
        track(result, what);
      }
      return result;
    };
  }
  // An idle connection's error (the server went away) would be an unhandled 'error' event of the pool.
  if (database.kind === "postgres")
    client.on?.("error", (error: Error) => problems.push(`${label}: an idle connection failed: ${error.message}`));

  return {
    db: database.db,
    kind: database.kind,
    url: options.url,
    use: (what, stop) => users.add(what, stop),
    async close() {
      if (state !== "open") throw new Error(`${label}: close() called twice`);
      try {
        await users.run();
      } catch (error) {
        problems.push((error as Error).message);
      }
      state = "closing";
      if (inflight.size > 0) {
        problems.push(
          `${label}: ${inflight.size} queries still running once everything the test registered had stopped ` +
            `(they were awaited before closing):\n  ${[...inflight.values()].join("\n  ")}`,
        );
      }
      while (inflight.size > 0) await Promise.allSettled([...inflight.keys()]);
      // On PostgreSQL this also waits until each connection has really closed (see endPool).
      await database.close();
      state = "closed";
      await options.afterClose?.();
      if (problems.length > 0) throw new Error(`${label}: leftovers at teardown\n${problems.join("\n")}`);
    },
  };
}

function describeQuery(arg: unknown): string {
  const text = typeof arg === "string" ? arg : ((arg as { text?: string; sql?: string } | undefined)?.text ?? "");
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
