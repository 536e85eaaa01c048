// Cloudflare's error codes and HTTP statuses, as the real Workers KV API answers them.

export const ErrorCode = {
  authentication: 10000,
  keyNotFound: 10009,
  namespaceNotFound: 10013,
  namespaceTitleExists: 10014,
  tooManyRequests: 10022,
  payloadTooLarge: 10024,
  invalidLimit: 10028,
  keyTooLong: 10030,
  invalidExpiration: 10033,
  invalidExpirationTtl: 10034,
  invalidCursor: 10041,
  illegalKeyName: 10042,
  invalidMetadata: 10047,
  tooManyNamespaces: 10026,
  invalidRequest: 10001,
  noRoute: 7003,
  internal: 10043,
} as const;

export class KvApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: number, message: string) => new KvApiError(400, code, message);
export const notFound = (code: number, message: string) => new KvApiError(404, code, message);
