// Password hashing with node's scrypt: a random salt per password, the cost parameters stored
// beside the hash (so they can be raised later without breaking old hashes), constant-time compare.
//
// Stored form: `scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>`.
import crypto from "node:crypto";

/** OWASP's scrypt floor is N=2^17 with r=8; 2^15 keeps a sign-in near 100 ms on a small machine. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Stored parameters above these are refused rather than run: a tampered row must not stall the server. */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_P = 16;

export const MIN_PASSWORD_LENGTH = 8;
/** Long enough for any passphrase, short enough that a request cannot make hashing expensive. */
export const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, keylen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128·N·r bytes; node's default cap (32 MiB) is exactly N=2^15, r=8.
    crypto.scrypt(password.normalize("NFC"), salt, keylen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, HASH_BYTES, COST.N, COST.r, COST.p);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** True when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const actual = await scrypt(password, parsed.salt, parsed.hash.length, parsed.N, parsed.r, parsed.p);
  return crypto.timingSafeEqual(actual, parsed.hash);
}

/** True when a hash was made with weaker parameters than today's (rehash it at the next sign-in). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.N < COST.N || parsed.r < COST.r || parsed.p < COST.p || parsed.hash.length < HASH_BYTES;
}

function parseHash(stored: string) {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], "base64url");
  const hash = Buffer.from(parts[5], "base64url");
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || r < 1 || 128 * N * r > MAX_MEMORY_BYTES || !Number.isInteger(p) || p < 1 || p > MAX_P)
    return null;
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the time a real check would take, for a username that does not exist, so the response
 * time does not tell which usernames exist.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
  return false;
}

/** A password for the first admin when none is configured: 24 characters from 18 random bytes. */
export function generatePassword(): string {
  return crypto.randomBytes(18).toString("base64url");
}
