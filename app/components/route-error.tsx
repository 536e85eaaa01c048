// The error panel every route boundary shows: upstream failures explained, others plainly.
import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import type { UpstreamFailure } from "~/kv/guards.server";
import { VisibleText } from "./key-name";

export function RouteError({ backTo = "/", backLabel = "Back to accounts" }: { backTo?: string; backLabel?: string }) {
  const error = useRouteError();
  let title = "Something went wrong";
  let detail = "kvdeck hit an unexpected error. Try again; if it keeps happening, check the server log.";
  let message: string | undefined;
  if (isRouteErrorResponse(error)) {
    const upstream = (error.data as Partial<UpstreamFailure> | undefined)?.upstreamError;
    if (upstream) {
      title = upstream.title;
      detail = upstream.detail;
      message = upstream.message;
    } else {
      title = error.status === 404 ? "Not found" : `${error.status} ${error.statusText}`;
      detail = typeof error.data === "string" ? error.data : (error.data?.message ?? detail);
    }
  }
  return (
    <div role="alert" className="mx-auto my-16 max-w-lg space-y-3 px-4 text-center">
      <h2 className="text-lg font-semibold">
        <VisibleText text={title} />
      </h2>
      <p className="break-words text-muted-foreground">
        <VisibleText text={String(detail)} />
      </p>
      {message ? (
        <p className="text-xs text-muted-foreground">
          Upstream said: <VisibleText text={message} className="break-all font-mono" />
        </p>
      ) : null}
      <p className="flex justify-center gap-4 text-sm">
        <button type="button" className="text-primary underline" onClick={() => window.location.reload()}>
          Try again
        </button>
        <Link to={backTo} className="text-primary underline">
          {backLabel}
        </Link>
      </p>
    </div>
  );
}
