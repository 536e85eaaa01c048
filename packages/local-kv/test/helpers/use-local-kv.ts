// The hooks nearly every HTTP test file of this package begins with, registered once: a local KV
// API (startLocalKv) and its clients (kvClients) started before the file's (or describe block's)
// tests and closed after them, and after each test the check that every answer the clients met
// validated against the OpenAPI schemas.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { type KvClients, kvClients } from "./kv-clients";
import { type LocalKv, type StartLocalKvOptions, startLocalKv } from "./local-kv";

/**
 * Registers the hooks in the current scope and returns the API and its clients as live handles:
 * each property read goes to the ones beforeAll started, so `const { kv, c } = useLocalKv()` can sit
 * at the top of a file (reading either before beforeAll has run throws).
 */
export function useLocalKv(opts: StartLocalKvOptions = {}): { kv: LocalKv; c: KvClients } {
  let kv: LocalKv | undefined;
  let c: KvClients | undefined;
  beforeAll(async () => {
    kv = await startLocalKv(opts);
    c = kvClients(kv);
  });
  afterAll(() => kv?.close());
  afterEach(() => {
    if (c) expect(c.violations.splice(0)).toEqual([]);
  });
  return { kv: live("kv", () => kv), c: live("c", () => c) };
}

function live<T extends object>(name: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = current();
      if (!value) throw new Error(`useLocalKv: ${name}.${String(property)} read before beforeAll started the API`);
      return Reflect.get(value, property);
    },
  });
}
