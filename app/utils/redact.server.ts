// Secrets kvdeck knows (upstream API tokens, the local KV API's token, the secret key and what is
// derived from it) and the one function that takes them out of text before it is shown, stored
// or logged: an upstream that echoes the Authorization header must not hand a viewer the token.
//
// The registry lives on globalThis so every copy of this module shares it: a process runs one copy
// (decision 012), but in development Vite may load a newer copy for the routes than the services
// hold, and tests load the built server beside the sources. A token registered where a connection
// is opened must be known wherever a route or the audit log redacts.

export const REDACTED = "[redacted]";

/** Shorter strings are not registered: redacting them would mangle ordinary words. */
const MIN_SECRET_CHARS = 8;
/** `Bearer <token>`, wherever it appears (a token: 8 or more token68 characters). */
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** An echoed `Authorization: …` or `X-Auth-Key: …` header (or JSON field), up to the line's or string's end. */
const CREDENTIAL_HEADER = /\b(Authorization|X-Auth-Key)(["']?\s*[:=]\s*["']?)[^\r\n"']+/gi;

const REGISTRY = Symbol.for("kvdeck.knownSecrets");
type Holder = { [REGISTRY]?: Set<string> };

function registry(): Set<string> {
  const holder = globalThis as Holder;
  return (holder[REGISTRY] ??= new Set());
}

/** Remembers a secret (and the forms it is commonly echoed in) for every later `redact`. */
export function registerSecret(secret: string | null | undefined): void {
  if (!secret || secret.length < MIN_SECRET_CHARS) return;
  const known = registry();
  for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) known.add(form);
}

/** Registers the forms a binary key is written in (hex, base64, base64url). */
export function registerSecretBytes(bytes: Uint8Array): void {
  const buffer = Buffer.from(bytes);
  for (const encoding of ["hex", "base64", "base64url"] as const) registerSecret(buffer.toString(encoding));
}

/**
 * `text` with every known secret, every `extra` one, and anything that looks like a credential
 * replaced by "[redacted]". Longest secrets first, so a secret inside another goes with it.
 */
export function redact(text: string, extra: readonly (string | null | undefined)[] = []): string {
  const secrets = [...registry(), ...extra.filter((s): s is string => Boolean(s && s.length >= MIN_SECRET_CHARS))].sort(
    (a, b) => b.length - a.length,
  );
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  out = out.replace(CREDENTIAL_HEADER, (_m, name: string, separator: string) => `${name}${separator}${REDACTED}`);
  out = out.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  return out;
}

/** `redact` applied to every string in a JSON-like value (keys kept), at any depth. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return redact(value) as T;
  if (depth > 8 || value === null || typeof value !== "object" || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)])) as T;
}

/** For tests: forget what was registered. */
export function forgetSecrets(): void {
  registry().clear();
}
