// A resource route (no component) is answered by Remix as it returns: a Response keeps its status,
// but `data(body, { status })`, returned or thrown, would become a 200 carrying the wrapper (or a
// 500 when thrown) for a client that posts to the route's URL itself instead of through `.data`.
// `resourceAction` turns both into the JSON Response they describe.

interface DataWithInit {
  type: "DataWithResponseInit";
  data: unknown;
  init: ResponseInit | null;
}

function isDataWithInit(value: unknown): value is DataWithInit {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "DataWithResponseInit";
}

/** `data(body, init)` as the JSON Response it stands for; anything else as it is. */
export function asResponse<T>(value: T): T | Response {
  if (!isDataWithInit(value)) return value;
  const headers = new Headers(value.init?.headers);
  if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(value.data), { ...value.init, headers });
}

export function resourceAction<A extends unknown[], R>(run: (...args: A) => Promise<R>) {
  return (...args: A): Promise<R | Response> =>
    run(...args).then(asResponse, (error: unknown) => {
      throw asResponse(error);
    });
}
