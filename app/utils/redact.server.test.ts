import { afterEach, describe, expect, it } from "vitest";
import { forgetSecrets, redact, redactDeep, registerSecret, registerSecretBytes } from "./redact.server";

afterEach(() => forgetSecrets());

describe("redact", () => {
  it("replaces every registered secret, also URL- or JSON-escaped, and the extra ones", () => {
    registerSecret('tok/en+with"quote');
    expect(redact('a tok/en+with"quote b')).toBe("a [redacted] b");
    expect(redact(`url ?t=${encodeURIComponent('tok/en+with"quote')}`)).toBe("url ?t=[redacted]");
    expect(redact(JSON.stringify({ echo: 'tok/en+with"quote' }))).toBe('{"echo":"[redacted]"}');
    expect(redact("connection token-1234567 here", ["token-1234567"])).toBe("connection [redacted] here");
  });

  it("replaces anything that looks like a bearer credential or an echoed Authorization header", () => {
    expect(redact("got Authorization: Bearer abcdefgh12345678\nnext")).toBe("got Authorization: [redacted]\nnext");
    expect(redact('{"authorization":"whatever-it-is"}')).toBe('{"authorization":"[redacted]"}');
    expect(redact("header was bearer AbC.def-ghi_jkl")).toBe("header was bearer [redacted]");
    // Ordinary words stay.
    expect(redact("Invalid bearer token. Authorization failed.")).toBe("Invalid bearer token. Authorization failed.");
  });

  it("registers binary keys as hex and base64, and ignores secrets too short to redact safely", () => {
    const key = Buffer.from("0123456789abcdef0123456789abcdef");
    registerSecretBytes(key);
    expect(redact(`k=${key.toString("hex")} ${key.toString("base64")} ${key.toString("base64url")}`)).toBe(
      "k=[redacted] [redacted] [redacted]",
    );
    registerSecret("short");
    expect(redact("a short word")).toBe("a short word");
  });

  it("redacts every string of a nested value", () => {
    registerSecret("the-secret-token");
    expect(redactDeep({ error: "echo the-secret-token", list: ["x the-secret-token"], n: 1 })).toEqual({
      error: "echo [redacted]",
      list: ["x [redacted]"],
      n: 1,
    });
  });
});
