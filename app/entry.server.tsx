// Remix's default Node entry (renderToPipeableStream; bots and SPA mode wait for all content),
// plus the request's CSP nonce (app/server/security-headers.server.ts → load context) on every inline script:
// RemixServer's streamed single-fetch data, and through NonceProvider, root's <Scripts> and
// <ScrollRestoration>. Errors are logged redacted (app/utils/redact.server.ts): an error's text
// may carry what an upstream echoed.
//
// Its named exports beyond Remix's own are the app's side of the Node shell (app/server/shell.server.ts):
// the server reaches them as `build.entry.module` of the server build (server/build.ts).
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/utils/nonce-provider";
import { redact } from "~/utils/redact.server";

export * from "~/server/shell.server";

/**
 * Remix's default (log what a loader, action or render threw, unless the client went away),
 * redacted. A 4xx a route threw on purpose (`data(…, { status: 404 })`, which Remix hands here
 * from resource routes), or an upstream failure it explained, is an answer, not a server error,
 * and is not logged.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  const status = isRouteErrorResponse(error) ? error.status : (error as { init?: { status?: number } } | null)?.init?.status;
  const body = isRouteErrorResponse(error) ? error.data : (error as { data?: unknown } | null)?.data;
  const inner = isRouteErrorResponse(error) ? (error as { error?: unknown }).error : undefined;
  // An upstream failure the route explained (app/kv/guards.server.ts) is the upstream's, not ours.
  const explained = typeof body === "object" && body !== null && "upstreamError" in body;
  if (status !== undefined && (status < 500 || explained) && !inner) return;
  logError(inner ?? error);
};

function logError(error: unknown) {
  const text =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : typeof error === "string" ? error : safeJson(error);
  console.error(redact(text));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** How long a streamed response may take to resolve its data (single fetch reads this export). */
export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        ...(waitForAll ? { onAllReady: ready } : { onShellReady: ready }),
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject and are logged by Remix; these happen while streaming.
          if (shellRendered) logError(error);
        },
      },
    );
    // Give the stream's data a moment past streamTimeout to reject, then stop rendering.
    setTimeout(abort, streamTimeout + 1_000);
  });
}
