// Formatting for people: sizes, relative and absolute times.

const UNITS = ["B", "KiB", "MiB", "GiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "in 3 days", "5 minutes ago", relative to `nowMs`. */
export function formatRelative(epochSeconds: number, nowMs: number): string {
  const delta = epochSeconds - nowMs / 1000;
  const abs = Math.abs(delta);
  for (const [unit, seconds] of RELATIVE_STEPS) {
    if (abs >= seconds || unit === "second") return relativeFormat.format(Math.round(delta / seconds), unit);
  }
  return "";
}

/** An absolute UTC time, the same on server and browser (no hydration mismatch). */
export function formatAbsolute(epochSeconds: number): string {
  return new Date(epochSeconds * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat("en").format(n);
}

// Characters a person cannot see, or that change how the rest reads: C0 and C1 controls, format
// characters (bidi embeddings, overrides and isolates, U+200E/F, U+061C, zero-width characters,
// the BOM, soft hyphen, tags), line and paragraph separators, surrogates, spaces other than the
// plain one, and fillers that render as nothing. A key name shows each as a visible escape.
// The fillers that are combining marks (U+034F, U+17B4/5, U+180B-F) have a class of their own: after
// another character in one class they would read as one combined character.
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u115f\u1160\u2800\u3164\uffa0\ufff0-\ufff8]|[\u034f\u17b4\u17b5\u180b-\u180f]/gu;
/** The same, not global: `test` on a global expression moves its `lastIndex`, which `matchAll` would then start from. */
const HAS_INVISIBLE = new RegExp(INVISIBLE.source, "u");
/** A zero-width joiner between two pictographs is part of an emoji (👩‍💻), not a hidden character. */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}(?:[\u{1f3fb}-\u{1f3ff}]|\ufe0f)?)\u200d(?=\p{Extended_Pictographic})/u;
const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

export type TextSegment = { text: string; escaped: boolean };

/** `\u202E`, `\u{E0041}`, or `\n` for the common controls. */
export function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/** The text split into runs of ordinary characters and one-character visible escapes, in logical order. */
export function visibleSegments(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(INVISIBLE)) {
    const at = match.index!;
    if (match[0] === "\u200d" && EMOJI_JOINER.test(text.slice(Math.max(0, at - 4), at + 3))) continue;
    if (at > last) segments.push({ text: text.slice(last, at), escaped: false });
    segments.push({ text: escapeChar(match[0]), escaped: true });
    last = at + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), escaped: false });
  return segments;
}

/** The text with every invisible or reordering character written as its escape: for titles, labels and plain strings. */
export function escapeInvisibles(text: string): string {
  if (!HAS_INVISIBLE.test(text)) return text;
  return visibleSegments(text)
    .map((s) => s.text)
    .join("");
}
