// `npm run seed -- --keys 1000000 [--namespace bench-1m] [--url http://127.0.0.1:3000/client/v4]`:
// fills a namespace of the running kvdeck's local KV API (or any Cloudflare-compatible API with
// --token and --account) with synthetic keys, through bulk writes of 10,000 keys. Its defaults
// (port, token, account) are the running kvdeck's settings, read through the app's parseEnv.
import { parseArgs } from "node:util";
import { loadBuild } from "./build";

const CONCURRENCY = 4;
const { app } = await loadBuild();
const { BULK_MAX_KEYS, createHttpUpstream } = app;
const env = app.parseEnv();

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "100000" },
    namespace: { type: "string" },
    prefix: { type: "string", default: "bench:" },
    url: { type: "string", default: `http://127.0.0.1:${env.PORT}/client/v4` },
    token: { type: "string" },
    account: { type: "string", default: env.KVDECK_LOCAL_ACCOUNT_ID },
  },
});

const count = Number(values.keys);
if (!Number.isInteger(count) || count < 1) throw new Error("--keys takes a positive whole number");
const token = values.token ?? env.KVDECK_LOCAL_API_TOKEN ?? app.loadOrCreateLocalToken(env.dataDir);
const upstream = createHttpUpstream({ accountId: values.account!, apiToken: token, baseUrl: values.url, timeoutMs: 120_000 });
const title = values.namespace ?? `bench-${count}`;

const existing = (await upstream.listNamespaces()).find((n) => n.title === title);
const namespace = existing ?? (await upstream.createNamespace(title));
console.log(`seed: writing ${count.toLocaleString("en")} keys to ${title} (${namespace.id})`);

const started = Date.now();
let next = 0;
let written = 0;
const tags = ["products", "blog", "category", "search"];
async function worker() {
  for (;;) {
    const from = next;
    if (from >= count) return;
    next = Math.min(count, from + BULK_MAX_KEYS);
    const items = [];
    for (let i = from; i < next; i++) {
      items.push({
        key: `${values.prefix}${String(i).padStart(8, "0")}`,
        value: `value ${i}`,
        metadata: { "cache-tag": tags[i % tags.length], n: i },
      });
    }
    const result = await upstream.bulkWrite(namespace.id, items);
    if (result.unsuccessfulKeys.length) throw new Error(`seed: ${result.unsuccessfulKeys.length} keys were not written`);
    written += items.length;
    process.stdout.write(`\rseed: ${written.toLocaleString("en")} / ${count.toLocaleString("en")}`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
console.log(`\nseed: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
