// The e2e server's own local KV API, driven directly: fixtures that set up namespaces and faults.
import type { APIRequestContext } from "@playwright/test";

export const LOCAL_TOKEN = "e2e-local-api-token-0123456789";
export const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const auth = { Authorization: `Bearer ${LOCAL_TOKEN}` };

const BULK_MAX_KEYS = 10_000;

/** Creates a namespace holding `keys` (they show after the server's consistency delay). */
export async function createNamespaceWithKeys(
  request: APIRequestContext,
  title: string,
  keys: { key: string; value: string; metadata?: unknown; expiration_ttl?: number }[],
) {
  const created = await request.post(`/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces`, { headers: auth, data: { title } });
  if (!created.ok()) throw new Error(`create namespace: ${created.status()} ${await created.text()}`);
  const id = (await created.json()).result.id as string;
  await writeKeys(request, id, keys);
  return id;
}

/** Writes `keys` into a namespace, 10,000 a bulk write (they show after the server's consistency delay). */
export async function writeKeys(
  request: APIRequestContext,
  namespaceId: string,
  keys: { key: string; value: string; metadata?: unknown; expiration_ttl?: number }[],
) {
  for (let i = 0; i < keys.length; i += BULK_MAX_KEYS) {
    const written = await request.put(`/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${namespaceId}/bulk`, {
      headers: auth,
      data: keys.slice(i, i + BULK_MAX_KEYS),
    });
    if (!written.ok()) throw new Error(`bulk write: ${written.status()} ${await written.text()}`);
  }
}

export async function setConsistencyDelay(request: APIRequestContext, delayMs: number) {
  const response = await request.put(`/client/v4/__kvdeck/consistency`, { headers: auth, data: { delayMs } });
  if (!response.ok()) throw new Error(`consistency: ${response.status()}`);
}

export async function setFaults(request: APIRequestContext, faults: Record<string, unknown>) {
  const response = await request.put(`/client/v4/__kvdeck/faults`, { headers: auth, data: faults });
  if (!response.ok()) throw new Error(`faults: ${response.status()} ${await response.text()}`);
}

/** The first 1,000 names the upstream lists (under `prefix`, when given). */
export async function listKeyNames(request: APIRequestContext, namespaceId: string, prefix?: string): Promise<string[]> {
  const query = prefix === undefined ? "" : `?prefix=${encodeURIComponent(prefix)}`;
  const response = await request.get(`/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${namespaceId}/keys${query}`, { headers: auth });
  return ((await response.json()).result as { name: string }[]).map((k) => k.name);
}
