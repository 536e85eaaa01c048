// Key names as kvdeck's own tables store them. Workers KV accepts any name, but PostgreSQL refuses
// U+0000 in text (and in jsonb), so a name is escaped before it is written and unescaped when read:
//
//   U+0000 → U+0001 U+0001      U+0001 → U+0001 U+0002      every other character unchanged
//
// The code is prefix-free and order-preserving under byte order (COLLATE "C"): for any names a, b,
// a < b exactly when escape(a) < escape(b), and a is a prefix of b exactly when escape(a) is a prefix
// of escape(b). So ranges (`> after`, `<= through`) and `starts_with(prefix)` can be computed on the
// escaped column with escaped bounds. Names without U+0000 or U+0001 are stored as they are.
//
// Error texts are not names: they are shown to people, so control characters are made visible
// instead (`\u0000`), which is lossy but never breaks a write.

const NUL = "\u0000";
const SOH = "\u0001";
const ESCAPED = /[\u0000\u0001]/g;

export function escapeKeyText(name: string): string {
  if (!name.includes(NUL) && !name.includes(SOH)) return name;
  return name.replace(ESCAPED, (c) => (c === NUL ? SOH + SOH : SOH + "\u0002"));
}

/** The inverse of escapeKeyText. A lone U+0001 (not written by escapeKeyText) is kept as it is. */
export function unescapeKeyText(stored: string): string {
  if (!stored.includes(SOH)) return stored;
  let out = "";
  for (let i = 0; i < stored.length; i++) {
    const c = stored[i];
    if (c === SOH && (stored[i + 1] === SOH || stored[i + 1] === "\u0002")) {
      out += stored[i + 1] === SOH ? NUL : SOH;
      i++;
    } else out += c;
  }
  return out;
}

/** Every string of a JSON value (object keys too) escaped, for a jsonb column. */
export function escapeJsonStrings<T>(value: T): T {
  return mapStrings(value, escapeKeyText) as T;
}

/** The inverse of escapeJsonStrings. */
export function unescapeJsonStrings<T>(value: T): T {
  return mapStrings(value, unescapeKeyText) as T;
}

function mapStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), mapStrings(v, map)]));
  }
  return value;
}

// C0 controls and DEL, except tab and newline, which a message may well hold.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A text for a person (an error message), with control characters shown as `\uXXXX`. */
export function printableText(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
