// CSV as RFC 4180 writes it (CRLF rows, fields quoted when they hold a comma, quote or line break,
// quotes doubled), with spreadsheet formulas defused: a text cell starting with = + - @ (or their
// full-width forms ＝ ＋ － ＠, which some spreadsheets read alike), even after leading whitespace
// that a spreadsheet trims, or starting with a tab or carriage return, gets a leading apostrophe,
// so a key named `=HYPERLINK(…)` or ` =HYPERLINK(…)` stays text. Every CSV kvdeck writes goes
// through here (the audit log, a job's errors).
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[\t\r]|^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
