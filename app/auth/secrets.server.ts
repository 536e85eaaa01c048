// Encryption of secrets at rest (upstream API tokens): AES-256-GCM with a key from
// KVDECK_SECRET_KEY or a generated key file (0600) in the data dir.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const KEY_FILE = "secret.key";
const VERSION = "v1";

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** The key: KVDECK_SECRET_KEY (base64 or hex of 32 bytes, or any passphrase) or the key file. */
export function loadSecretKey(dataDir: string, configured?: string): Buffer {
  if (configured) return keyFromSetting(configured);
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    // Another process wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
    throw error;
  }
}

function keyFromSetting(value: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, "hex");
  const b64 = Buffer.from(value, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(value)) return b64;
  // A passphrase: stretch it so a short one is not a short key.
  return crypto.scryptSync(value, "kvdeck-secret-key", 32);
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("kvdeck: the secret key must be 32 bytes");
  return {
    seal(plaintext) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(".");
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("kvdeck: unreadable sealed secret");
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}
