import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, Outlet, useLoaderData, useNavigation, useParams, useSearchParams, useSubmit, type ShouldRevalidateFunction } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { KeysTable, type KeyRow } from "~/components/keys-table";
import { RouteError } from "~/components/route-error";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { summarize } from "~/kv/connections.server";
import type { UpstreamFailure } from "~/kv/guards.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { listKeyPage } from "~/kv/keys.server";
import { formatCount } from "~/utils/format";

const FILTER_DEBOUNCE_MS = 300;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaceId = params.namespaceId!;
  const prefix = new URL(request.url).searchParams.get("prefix") ?? "";
  const [namespace, page] = await fromUpstream(() =>
    Promise.all([upstream.getNamespace(namespaceId), listKeyPage(upstream, namespaceId, { prefix, cursor: "", signal: request.signal })]),
  );
  return { connection: summarize(connection), namespace, prefix, page, now: Date.now() };
}

/** Opening a key or scrolling must not re-list the first page: only a new filter (or a change) does. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (formMethod && formMethod !== "GET") return defaultShouldRevalidate;
  if (currentUrl.pathname.split("/").slice(0, 5).join("/") !== nextUrl.pathname.split("/").slice(0, 5).join("/")) return true;
  return (currentUrl.searchParams.get("prefix") ?? "") !== (nextUrl.searchParams.get("prefix") ?? "");
};

export default function NamespaceKeys() {
  const data = useLoaderData<typeof loader>();
  const { connection, namespace, prefix } = data;
  const params = useParams();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const submit = useSubmit();
  const base = `/accounts/${connection.id}/namespaces/${namespace.id}`;

  const [rows, setRows] = useState<KeyRow[]>(data.page.keys);
  const [cursor, setCursor] = useState(data.page.cursor);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [nowMs, setNowMs] = useState(data.now);
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => {
    inFlight.current?.abort();
    setRows(data.page.keys);
    setCursor(data.page.cursor);
    setLoading(false);
    setLoadError(null);
  }, [data.page]);

  useEffect(() => {
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const loadMore = useCallback(async () => {
    if (!cursor || inFlight.current) return;
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    setLoadError(null);
    try {
      const query = new URLSearchParams({ prefix, cursor });
      const response = await fetch(`${base}/list?${query}`, { signal: controller.signal, headers: { accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) {
        const failure = (body as Partial<UpstreamFailure>).upstreamError;
        throw new Error(failure ? `${failure.title}: ${failure.detail}` : `The server answered ${response.status}.`);
      }
      const page = body as { keys: KeyRow[]; cursor: string };
      if (controller.signal.aborted) return;
      setRows((previous) => previous.concat(page.keys));
      setCursor(page.cursor);
    } catch (error) {
      if (!controller.signal.aborted) setLoadError(error instanceof Error ? error.message : String(error));
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setLoading(false);
      }
    }
  }, [base, cursor, prefix]);

  const query = searchParams.get("prefix") ? `?prefix=${encodeURIComponent(prefix)}` : "";
  const keyHref = useCallback(
    (name: string) => `${base}/key?${new URLSearchParams({ ...(prefix ? { prefix } : {}), name })}`,
    [base, prefix],
  );
  const activeKey = params.namespaceId && searchParams.get("name");
  const filtering = navigation.state === "loading" && navigation.location.pathname === base;
  const debounce = useRef<ReturnType<typeof setTimeout>>();

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b px-4 py-3">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
          <Link to={`/accounts/${connection.id}`} className="hover:text-foreground hover:underline">
            {connection.name}
          </Link>
          <span aria-hidden> / </span>
        </nav>
        <h1 className="text-lg font-semibold">{namespace.title}</h1>
        <Form method="get" action={base} role="search" className="ml-auto flex w-full items-center gap-2 sm:w-auto" onSubmit={() => clearTimeout(debounce.current)}>
          <label htmlFor="prefix" className="text-sm text-muted-foreground">
            Prefix
          </label>
          <Input
            id="prefix"
            name="prefix"
            type="search"
            defaultValue={prefix}
            key={prefix}
            placeholder="Filter keys by prefix"
            className="font-mono sm:w-80"
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => {
              const form = event.currentTarget.form;
              clearTimeout(debounce.current);
              debounce.current = setTimeout(() => submit(form, { replace: true }), FILTER_DEBOUNCE_MS);
            }}
          />
          <Button type="submit" variant="secondary" size="sm">
            Filter
          </Button>
        </Form>
      </div>
      <p className="border-b px-4 py-1.5 text-xs text-muted-foreground" role="status" aria-live="polite">
        {filtering
          ? "Filtering…"
          : rows.length === 0 && !cursor
            ? ""
            : `${formatCount(rows.length)} keys loaded${prefix ? ` with prefix “${prefix}”` : ""}${cursor ? " · more below" : " · all of them"}`}
      </p>
      <div className="flex min-h-0 flex-1">
        <div className={`flex min-h-0 min-w-0 flex-1 flex-col ${filtering ? "opacity-60" : ""}`}>
          {rows.length === 0 && !cursor ? (
            <div className="m-auto max-w-md p-8 text-center">
              <h2 className="font-medium">{prefix ? "No matching keys" : "This namespace is empty"}</h2>
              <p className="mt-1 text-sm text-muted-foreground">
                {prefix ? <>No key starts with “<span className="font-mono">{prefix}</span>”.</> : "It holds no keys yet."}
              </p>
            </div>
          ) : (
            <KeysTable
              rows={rows}
              hasMore={Boolean(cursor) && !loadError}
              loading={loading}
              onLoadMore={loadMore}
              keyHref={keyHref}
              activeKey={activeKey || null}
              nowMs={nowMs}
              caption={`Keys of ${namespace.title}${prefix ? ` starting with ${prefix}` : ""}`}
            />
          )}
          {loadError ? (
            <div role="alert" className="flex items-center justify-between gap-3 border-t bg-destructive/10 px-4 py-2 text-sm">
              <span>Could not load more keys. {loadError}</span>
              <Button size="sm" variant="outline" onClick={() => setLoadError(null)}>
                Retry
              </Button>
            </div>
          ) : null}
        </div>
        <Outlet context={{ closeHref: `${base}${query}` }} />
      </div>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.namespace.title ?? "Namespace"} · kvdeck` }];

export function ErrorBoundary() {
  const params = useParams();
  return <RouteError backTo={`/accounts/${params.connectionId}`} backLabel="Back to namespaces" />;
}
