// The environment, parsed once. Every setting kvdeck reads is named here with its default.
import path from "node:path";
import { z } from "zod";
import { parseRateLimit } from "@kvdeck/local-kv";

const durationMs = z.string().regex(/^\d+$/, "a whole number of milliseconds").transform(Number);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** `npm run kv-api`'s port, the local KV API on its own (0: any free port). */
  KVDECK_KV_API_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  KVDECK_DATA_DIR: z.string().default("./data"),
  /** The drizzle migrations folder, for a layout where neither ./drizzle nor the one beside the code is it. */
  KVDECK_MIGRATIONS_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.string().url().optional(),
  CLOUDFLARE_API_TOKEN: z.string().min(1).optional(),
  CLOUDFLARE_ACCOUNT_ID: z.string().min(1).optional(),
  CLOUDFLARE_API_BASE_URL: z.string().url().optional(),
  KVDECK_LOCAL_API_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  KVDECK_LOCAL_ACCOUNT_ID: z
    .string()
    .regex(/^[0-9a-f]{32}$/, "32 hex digits")
    .default("c0ffee00c0ffee00c0ffee00c0ffee00"),
  KVDECK_CONSISTENCY_DELAY_MS: durationMs.optional(),
  KVDECK_OVERLAY_TTL_MS: durationMs.optional(),
  /** Local KV API request budget, e.g. 1200/300s or 1200/300s,lockout=300s (packages/local-kv/src/rate-limit.ts). */
  KVDECK_RATE_LIMIT: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      try {
        parseRateLimit(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  /** kvdeck's own request budget per upstream token, e.g. 1200/300s or off (app/kv/budget.server.ts). */
  KVDECK_UPSTREAM_BUDGET: z.string().optional(),
  KVDECK_JOB_RUNNER: z.enum(["in-process", "off"]).default("in-process"),
  KVDECK_JOB_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  KVDECK_JOB_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** For `npm run worker`: where the web app serves its local KV API. */
  KVDECK_LOCAL_KV_URL: z.string().url().optional(),
  KVDECK_FAULTS: z.string().optional(),
  KVDECK_SEED: z.enum(["demo", "none"]).default("demo"),
  /** The most a namespace's catalog may hold (bytes of key names and metadata); an index job past it fails saying so. */
  KVDECK_CATALOG_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024),
  /** Rows a browser's keys table keeps (past them, the first rows read are let go; decision 021). */
  KVDECK_KEYS_WINDOW_ROWS: z.coerce.number().int().min(2_000).max(1_000_000).default(200_000),
  KVDECK_ADMIN_PASSWORD: z.string().min(8).optional(),
  KVDECK_SECRET_KEY: z.string().optional(),
  /** Express `trust proxy`: unset (trust none), true, a hop count, or addresses/subnets; decides req.ip and HTTPS. */
  KVDECK_TRUST_PROXY: z.string().optional(),
});

export type Env = z.infer<typeof schema> & { dataDir: string };

/** Parses `source` (default: process.env); throws one error naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`kvdeck: invalid environment\n${lines.join("\n")}`);
  }
  if (Boolean(result.data.CLOUDFLARE_API_TOKEN) !== Boolean(result.data.CLOUDFLARE_ACCOUNT_ID)) {
    throw new Error("kvdeck: invalid environment\n  CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID go together: set both or neither");
  }
  return { ...result.data, dataDir: path.resolve(result.data.KVDECK_DATA_DIR) };
}
