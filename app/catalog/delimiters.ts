// The delimiters a namespace's keys are split at (shared with the browser): what auto-detection
// chooses from, in order of preference on a tie, and what the overview and the prefix tree offer.
export const DELIMITER_CANDIDATES = ["/", ":", ".", "|", "#", "-", "_"] as const;

/** A delimiter the overview and the prefix tree accept: "auto" (the overview only) or a candidate. */
export const isDelimiter = (value: string, withAuto = false): boolean =>
  (withAuto && value === "auto") || (DELIMITER_CANDIDATES as readonly string[]).includes(value);
