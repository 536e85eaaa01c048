// The composition root: the one place that builds a kvdeck process's services from the parsed
// environment. The web server (server/index.ts), the worker (server/worker.ts) and the tests
// (tests/helpers/built-server.ts) all call it, through the Remix server build
// (app/entry.server.tsx), so the whole process runs one copy of every app module.
//
// It opens the database, the secret box, one request budget registry, the connections, the
// resource cache, the jobs service and, when no Cloudflare account is configured and this is the
// web process, the local KV store (seeding the demo); it creates the first admin on a fresh
// install. close() stops all of it in order: the live streams and their topics' producers, the
// maintenance timers, then the jobs (they may be talking to the local KV API), then the HTTP server
// that serves that API, then the database.
import type { Server } from "node:http";
import path from "node:path";
import { LocalKvStore, loadOrCreateLocalToken } from "@kvdeck/local-kv";
import { createSecretBox, loadSecretKey } from "~/auth/secrets.server";
import { SessionStore, sessionSigningKey } from "~/auth/sessions.server";
import { SignInThrottle } from "~/auth/throttle.server";
import { ensureFirstAdmin } from "~/auth/users.server";
import { ResourceCache } from "~/cache/resource-cache.server";
import type { AppServices } from "~/context.server";
import { openDatabase } from "~/db/client.server";
import { createJobsService, jobsConfigFromEnv } from "~/jobs/service.server";
import { createLiveHub } from "~/live/context.server";
import type { LiveHub } from "~/live/hub.server";
import { budgetsFromEnv } from "~/kv/budget.server";
import { ConnectionRegistry, type LocalKvTarget } from "~/kv/connections.server";
import { seedDemo } from "~/server/demo-seed.server";
import type { Env } from "~/utils/env.server";
import { redact, registerSecret, registerSecretBytes } from "~/utils/redact.server";

/** Where the local KV API is mounted in the web server, and reached by jobs and workers. */
export const LOCAL_KV_API_PATH = "/client/v4";
/** The demo's consistency delay: long enough to see why the optimistic cache exists. */
const DEMO_CONSISTENCY_DELAY_MS = 10_000;
const SWEEP_INTERVAL_MS = 60_000;
const ANALYZE_INTERVAL_MS = 10 * 60_000;

export interface ServicesOptions {
  /**
   * `web` (the default): serves the local KV API itself when no Cloudflare account is configured
   * (seeding the demo), records the env's connection, creates the first admin, runs jobs unless
   * KVDECK_JOB_RUNNER=off. `worker`: always runs jobs, reaches the web's local KV API at
   * KVDECK_LOCAL_KV_URL (else HOST:PORT), and changes nothing at startup.
   */
  role?: "web" | "worker";
  /** Where log lines go, redacted first; console.log unless given. */
  print?: (line: string) => void;
}

export interface LocalKv {
  store: LocalKvStore;
  /** The bearer token its API takes (KVDECK_LOCAL_API_TOKEN, else `<dataDir>/local-api-token`). */
  token: string;
}

export interface Services extends AppServices {
  /** The local KV API's store when this process serves it; null with a Cloudflare account, and in a worker. */
  localKv: LocalKv | null;
  sessions: SessionStore;
  throttle: SignInThrottle;
  /** The process's log: never prints a secret kvdeck knows. */
  log: (line: string) => void;
  /** The live topics every browser's one stream (/live) multiplexes, one producer per topic (app/live). */
  live: LiveHub;
  /**
   * Starts the jobs runner (unless this process runs none) and the local KV maintenance. A web
   * process passes its HTTP server, now listening, and the URL of the local KV API it serves:
   * jobs reach it there, and close() closes that server after the jobs have stopped.
   */
  start(http?: { server: Server; localKvUrl: string }): void;
  close(): Promise<void>;
}

export async function createServices(env: Env, options: ServicesOptions = {}): Promise<Services> {
  const role = options.role ?? "web";
  const print = options.print ?? console.log;
  const log = (line: string) => print(redact(line));
  const database = await openDatabase({
    url: env.DATABASE_URL,
    pgliteDir: env.DATABASE_URL ? undefined : path.join(env.dataDir, "pglite"),
    migrationsFolder: env.KVDECK_MIGRATIONS_DIR,
  });
  try {
    const secretKey = loadSecretKey(env.dataDir, env.KVDECK_SECRET_KEY);
    registerSecretBytes(secretKey);
    registerSecretBytes(sessionSigningKey(secretKey));
    for (const secret of [env.KVDECK_SECRET_KEY, env.CLOUDFLARE_API_TOKEN, env.KVDECK_LOCAL_API_TOKEN, env.KVDECK_ADMIN_PASSWORD])
      registerSecret(secret);

    const useCloudflare = Boolean(env.CLOUDFLARE_API_TOKEN && env.CLOUDFLARE_ACCOUNT_ID);
    let localKvToken: string | undefined;
    const localToken = () => {
      localKvToken ??= env.KVDECK_LOCAL_API_TOKEN ?? loadOrCreateLocalToken(env.dataDir);
      registerSecret(localKvToken);
      return localKvToken;
    };
    // Known once the web server listens (its port may be the OS's choice); a worker is told.
    let localKvUrl =
      role === "worker" ? (env.KVDECK_LOCAL_KV_URL ?? `http://${reachableHost(env.HOST)}:${env.PORT}${LOCAL_KV_API_PATH}`) : "";
    const localKv: LocalKv | null =
      role === "web" && !useCloudflare
        ? { store: new LocalKvStore(database.db, env.KVDECK_CONSISTENCY_DELAY_MS ?? DEMO_CONSISTENCY_DELAY_MS), token: localToken() }
        : null;
    if (localKv && env.KVDECK_SEED === "demo") await seedDemo(localKv.store, { accountId: env.KVDECK_LOCAL_ACCOUNT_ID, log });

    // One request budget per upstream token (KVDECK_UPSTREAM_BUDGET), shared by browsing and jobs.
    const budgets = budgetsFromEnv(env);
    const localTarget: LocalKvTarget | null = localKv || role === "worker" ? { baseUrl: () => localKvUrl, token: localToken } : null;
    const connections = new ConnectionRegistry(database.db, createSecretBox(secretKey), localTarget, budgets, {
      catalogMaxBytes: env.KVDECK_CATALOG_MAX_BYTES,
    });
    if (role === "web") {
      await connections.syncFromEnv(
        useCloudflare
          ? {
              kind: "cloudflare",
              accountId: env.CLOUDFLARE_ACCOUNT_ID!,
              token: env.CLOUDFLARE_API_TOKEN!,
              baseUrl: env.CLOUDFLARE_API_BASE_URL,
            }
          : { kind: "local", accountId: env.KVDECK_LOCAL_ACCOUNT_ID },
      );
    }
    const cache = new ResourceCache(database.db, { defaultTtlMs: env.KVDECK_OVERLAY_TTL_MS });
    // Durable jobs (docs/jobs.md): the runner starts in start() and stops first in close().
    const jobsConfig = jobsConfigFromEnv(env);
    const jobs = createJobsService({
      db: database.db,
      connections,
      cache,
      budgets,
      dataDir: env.dataDir,
      config: role === "worker" ? { ...jobsConfig, runInProcess: true } : jobsConfig,
      log,
    });
    const sessions = new SessionStore(database.db, sessionSigningKey(secretKey));
    const throttle = new SignInThrottle(database.db);
    if (role === "web") await ensureFirstAdmin(database.db, env.KVDECK_ADMIN_PASSWORD, log);
    // Nothing runs until a stream subscribes; close() ends the streams before the server closes.
    const live = createLiveHub({ jobs, connections, cache }, { log });

    const timers: NodeJS.Timeout[] = [];
    let server: Server | null = null;
    let closing: Promise<void> | null = null;
    return {
      env,
      database,
      connections,
      cache,
      jobs,
      recycle: jobs.deps.recycle,
      localKv,
      sessions,
      throttle,
      log,
      live,
      start(http) {
        if (http) {
          server = http.server;
          localKvUrl = http.localKvUrl;
        }
        if (localKv) {
          const quietly = (work: () => Promise<unknown>) => () => void work().catch((e) => log(`kvdeck: maintenance failed: ${e}`));
          timers.push(
            setInterval(
              quietly(() => localKv.store.sweepExpired()),
              SWEEP_INTERVAL_MS,
            ).unref(),
          );
          timers.push(
            setInterval(
              quietly(() => localKv.store.analyze()),
              ANALYZE_INTERVAL_MS,
            ).unref(),
          );
        }
        // Copies past their retention go, wherever jobs run.
        const prune = () => void jobs.deps.recycle.prune().catch((e) => log(`kvdeck: recycle bin prune failed: ${e}`));
        prune();
        timers.push(setInterval(prune, SWEEP_INTERVAL_MS).unref());
        jobs.start();
      },
      close() {
        closing ??= (async () => {
          live.close(); // open event streams would keep the HTTP server from closing
          for (const timer of timers.splice(0)) clearInterval(timer);
          await jobs.stop(); // before the server closes: running jobs may be talking to its local KV API
          const listening = server;
          if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** An address to reach a server listening on `host` from this machine (a wildcard is reachable on loopback). */
export function reachableHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}
