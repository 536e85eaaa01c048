// Builds kvdeck's HTTP server: the Remix app, its static files, and (when no Cloudflare account
// is configured) the local KV API under /client/v4, all in one Express app.
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { createSecretBox, loadSecretKey } from "~/auth/secrets.server";
import { sessionSigningKey } from "~/auth/sessions.server";
import { ResourceCache } from "~/cache/resource-cache.server";
import type { AppServices } from "~/context.server";
import { openDatabase } from "~/db/client.server";
import { createJobsService, jobsConfigFromEnv } from "~/jobs/service.server";
import { budgetsFromEnv } from "~/kv/budget.server";
import { ConnectionRegistry } from "~/kv/connections.server";
import type { Env } from "~/utils/env.server";
import { redact, registerSecret, registerSecretBytes } from "~/utils/redact.server";
import { createAuth, requestContext, trustProxySetting } from "./auth-middleware";
import { createLocalKvApi } from "./local-kv/api";
import { keepConnectionsAlive } from "./local-kv/http";
import { Faults, parseFaults } from "./local-kv/faults";
import { RateLimit, parseRateLimit } from "./local-kv/rate-limit";
import { LocalKvStore } from "./local-kv/store";
import { loadOrCreateLocalToken } from "./local-kv/token";
import { securityHeaders } from "./security-headers";
import { seedDemo } from "./seed";

/** The demo's consistency delay: long enough to see why the optimistic cache exists. */
const DEMO_CONSISTENCY_DELAY_MS = 10_000;
const SWEEP_INTERVAL_MS = 60_000;
const ANALYZE_INTERVAL_MS = 10 * 60_000;

export interface KvdeckServer {
  services: AppServices;
  localKv: { store: LocalKvStore; token: string } | null;
  /** Starts listening; resolves with the bound address. */
  listen(port?: number, host?: string): Promise<{ url: string; server: Server }>;
  close(): Promise<void>;
}

export async function createKvdeckServer(env: Env, print: (line: string) => void = console.log): Promise<KvdeckServer> {
  // The server's log (jobs, maintenance, first start) never prints a secret kvdeck knows.
  const log = (line: string) => print(redact(line));
  const database = await openDatabase({
    url: env.DATABASE_URL,
    pgliteDir: env.DATABASE_URL ? undefined : path.join(env.dataDir, "pglite"),
  });
  const secretKey = loadSecretKey(env.dataDir, env.KVDECK_SECRET_KEY);
  const secrets = createSecretBox(secretKey);
  registerSecretBytes(secretKey);
  registerSecretBytes(sessionSigningKey(secretKey));
  for (const secret of [env.KVDECK_SECRET_KEY, env.CLOUDFLARE_API_TOKEN, env.KVDECK_LOCAL_API_TOKEN, env.KVDECK_ADMIN_PASSWORD])
    registerSecret(secret);

  const useCloudflare = Boolean(env.CLOUDFLARE_API_TOKEN && env.CLOUDFLARE_ACCOUNT_ID);
  let selfUrl = "";
  let localKv: KvdeckServer["localKv"] = null;
  if (!useCloudflare) {
    const store = new LocalKvStore(database.db, env.KVDECK_CONSISTENCY_DELAY_MS ?? DEMO_CONSISTENCY_DELAY_MS);
    localKv = { store, token: env.KVDECK_LOCAL_API_TOKEN ?? loadOrCreateLocalToken(env.dataDir) };
    registerSecret(localKv.token);
    if (env.KVDECK_SEED === "demo") await seedDemo(store, { accountId: env.KVDECK_LOCAL_ACCOUNT_ID, log });
  }

  // One request budget per upstream token (KVDECK_UPSTREAM_BUDGET), shared by browsing and jobs.
  const budgets = budgetsFromEnv(env);
  const connections = new ConnectionRegistry(
    database.db,
    secrets,
    localKv ? { baseUrl: () => selfUrl, token: () => localKv!.token } : null,
    budgets,
  );
  if (useCloudflare) {
    await connections.syncFromEnv({
      kind: "cloudflare",
      accountId: env.CLOUDFLARE_ACCOUNT_ID!,
      token: env.CLOUDFLARE_API_TOKEN!,
      baseUrl: env.CLOUDFLARE_API_BASE_URL,
    });
  } else {
    await connections.syncFromEnv({ kind: "local", accountId: env.KVDECK_LOCAL_ACCOUNT_ID });
  }

  const cache = new ResourceCache(database.db, { defaultTtlMs: env.KVDECK_OVERLAY_TTL_MS });
  // Durable jobs (docs/jobs.md): the runner starts once the server listens and stops in close().
  const jobs = createJobsService({
    db: database.db,
    connections,
    cache,
    budgets,
    dataDir: env.dataDir,
    config: jobsConfigFromEnv(env),
    log,
  });
  const services: AppServices = { env, database, connections, cache, jobs };
  const auth = await createAuth({ env, db: database.db, log });
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxySetting(env.KVDECK_TRUST_PROXY));
  app.use(
    compression({
      // Server-sent events must reach the browser as they are written. Raw KV values (the local
      // KV API, downloads) go as they are, with their Content-Length: it is how a value's size is known.
      filter: (req, res) =>
        !/text\/event-stream|application\/octet-stream/.test(String(res.getHeader("Content-Type") ?? "")) && compression.filter(req, res),
    }),
  );

  if (localKv) {
    const rateLimit = parseRateLimit(env.KVDECK_RATE_LIMIT);
    app.use(
      "/client/v4",
      createLocalKvApi({
        store: localKv.store,
        token: localKv.token,
        accountId: env.KVDECK_LOCAL_ACCOUNT_ID,
        rateLimit: rateLimit ? new RateLimit(rateLimit) : null,
        faults: new Faults(parseFaults(env.KVDECK_FAULTS)),
      }),
    );
  }

  app.use(securityHeaders({ development: env.NODE_ENV === "development" }));

  const viteDevServer =
    env.NODE_ENV === "development"
      ? await import("vite").then((vite) => vite.createServer({ server: { middlewareMode: true } }))
      : undefined;
  if (viteDevServer) {
    app.use(viteDevServer.middlewares);
  } else {
    const clientDir = path.resolve("build/client");
    if (!fs.existsSync(clientDir)) throw new Error("kvdeck: no build found; run `npm run build` first");
    app.use("/assets", express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(clientDir, { maxAge: "1h" }));
  }
  const build = viteDevServer
    ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(path.resolve("build/server/index.js") as string)) as ServerBuild);
  app.use(auth.middleware);
  app.all("*", createRequestHandler({ build, getLoadContext: (_req, res) => ({ services, ...requestContext(res) }) }));

  const timers: NodeJS.Timeout[] = [];
  if (localKv) {
    const store = localKv.store;
    const quietly = (work: () => Promise<unknown>) => () => void work().catch((e) => log(`kvdeck: maintenance failed: ${e}`));
    timers.push(
      setInterval(
        quietly(() => store.sweepExpired()),
        SWEEP_INTERVAL_MS,
      ).unref(),
    );
    timers.push(
      setInterval(
        quietly(() => store.analyze()),
        ANALYZE_INTERVAL_MS,
      ).unref(),
    );
  }

  let server: Server | null = null;
  return {
    services,
    localKv,
    listen(port = env.PORT, host = env.HOST) {
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, () => {
          keepConnectionsAlive(s);
          const address = s.address();
          const bound = typeof address === "object" && address ? address.port : port;
          const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
          selfUrl = `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${bound}/client/v4`;
          server = s;
          jobs.start(); // jobs on the local KV API need selfUrl
          resolve({ url: `http://${reachable}:${bound}`, server: s });
        });
        s.once("error", reject);
      });
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await jobs.stop(); // before the server closes: running jobs may be talking to its local KV API
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await viteDevServer?.close();
      await database.close();
    },
  };
}
