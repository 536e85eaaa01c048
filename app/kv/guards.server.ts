// Route guards for the upstream: find the connection a URL names, and turn upstream failures
// into responses an ErrorBoundary can explain.
import { data, type AppLoadContext } from "@remix-run/node";
import { getServices } from "~/context.server";
import { explainUpstreamError, statusForKind, UpstreamError } from "./errors";
import type { Connection } from "~/db/schema";
import type { KvUpstream } from "./upstream.server";
import { MAX_ROW_ID } from "~/utils/row-id";
import { redact } from "~/utils/redact.server";

/** What an upstream failure looks like to the browser. */
export interface UpstreamFailure {
  upstreamError: { kind: UpstreamError["kind"]; title: string; detail: string; message: string; retryAfterSeconds?: number };
}

export async function requireConnection(
  context: AppLoadContext,
  connectionId: string | undefined,
): Promise<{ connection: Connection; upstream: KvUpstream }> {
  const id = Number(connectionId);
  const { connections } = getServices(context);
  const connection = Number.isInteger(id) && id > 0 && id <= MAX_ROW_ID ? await connections.get(id) : null;
  if (!connection) throw data({ message: "There is no such account in kvdeck." }, { status: 404 });
  return { connection, upstream: await connections.upstreamFor(connection) };
}

export function upstreamFailure(error: UpstreamError): UpstreamFailure {
  const { title, detail } = explainUpstreamError(error.kind, error.details.retryAfterSeconds);
  return {
    // Redacted where the error was made (cloudflare.server.ts); again here, as it leaves for the browser.
    upstreamError: { kind: error.kind, title, detail, message: redact(error.message), retryAfterSeconds: error.details.retryAfterSeconds },
  };
}

/** Runs an upstream call; an UpstreamError becomes a thrown response with its explanation. */
export async function fromUpstream<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UpstreamError) {
      const headers: HeadersInit = error.details.retryAfterSeconds ? { "Retry-After": String(error.details.retryAfterSeconds) } : {};
      throw data(upstreamFailure(error), { status: statusForKind[error.kind], headers });
    }
    throw error;
  }
}
