// The local KV API's bearer token when KVDECK_LOCAL_API_TOKEN is not set: generated once and kept
// in the data dir, so wrangler/SDK settings keep working across restarts. Shared by the standalone
// KV API (main.ts) and the main app, which therefore agree on the token for one data dir.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const LOCAL_TOKEN_FILE = "local-api-token";
/** Same floor as KVDECK_LOCAL_API_TOKEN in app/utils/env.server.ts. */
const MIN_TOKEN_CHARS = 16;

export function loadOrCreateLocalToken(dataDir: string): string {
  const file = path.join(dataDir, LOCAL_TOKEN_FILE);
  const existing = readToken(file);
  if (existing !== null) return existing;
  fs.mkdirSync(dataDir, { recursive: true });
  const token = crypto.randomBytes(32).toString("base64url");
  try {
    // "wx": if another process (the app and the KV API start together) wrote it first, use theirs.
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const theirs = readToken(file);
    if (theirs === null) throw new Error(`kvdeck: ${file} exists but holds no usable token; delete it to get a new one`);
    return theirs;
  }
}

function readToken(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_CHARS) return null;
  // Tighten a file someone copied in with looser permissions: it is a credential.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return token;
}
