// What can go wrong upstream, in words the dashboard can show. Shared by server and browser.

export type UpstreamErrorKind =
  | "unauthorized" // token missing, wrong or revoked
  | "forbidden" // token lacks the permission
  | "not_found" // namespace or key does not exist
  | "conflict" // e.g. a namespace title already taken
  | "invalid" // the upstream refused the input
  | "too_large" // payload over a limit
  | "rate_limited" // 429: the request budget is spent
  | "unavailable" // network failure or 5xx
  | "timeout"; // no answer in time

export class UpstreamError extends Error {
  readonly name = "UpstreamError";
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly details: { status?: number; code?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

/** The HTTP status a loader or action answers with for each kind. */
export const statusForKind: Record<UpstreamErrorKind, number> = {
  unauthorized: 502,
  forbidden: 502,
  not_found: 404,
  conflict: 409,
  invalid: 400,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  timeout: 504,
};

/** A title and an explanation for a person, per kind. */
export function explainUpstreamError(kind: UpstreamErrorKind, retryAfterSeconds?: number): { title: string; detail: string } {
  switch (kind) {
    case "unauthorized":
      return {
        title: "Token rejected",
        detail: "The upstream refused this account's API token. Check that it exists, has not expired and is entered correctly.",
      };
    case "forbidden":
      return { title: "Permission denied", detail: "The API token is valid but lacks the Workers KV permission for this account." };
    case "not_found":
      return { title: "Not found", detail: "The upstream has no such namespace or key. It may have been deleted." };
    case "conflict":
      return { title: "Already exists", detail: "The upstream refused the change because the name is already taken." };
    case "invalid":
      return { title: "Refused by the upstream", detail: "The upstream refused the request as invalid." };
    case "too_large":
      return { title: "Too large", detail: "The request is over one of the Workers KV size limits." };
    case "rate_limited":
      return {
        title: "Rate limited",
        detail: `The account's request budget is spent for now.${retryAfterSeconds ? ` Try again in ${retryAfterSeconds} s.` : " Try again shortly."}`,
      };
    case "unavailable":
      return {
        title: "Upstream unavailable",
        detail: "The KV API could not be reached or answered with a server error. kvdeck retried; try again shortly.",
      };
    case "timeout":
      return { title: "Upstream timed out", detail: "The KV API did not answer in time. Try again shortly." };
  }
}
