import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useMemo } from "react";
import { RouteError } from "~/components/route-error";
import { SortHeader, type SortDirection } from "~/components/sort-header";
import { Badge } from "~/components/ui/badge";
import { Input } from "~/components/ui/input";
import { summarize } from "~/kv/connections.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";

type SortColumn = "title" | "id";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaces = await fromUpstream(() => upstream.listNamespaces());
  return { connection: summarize(connection), namespaces };
}

export default function Namespaces() {
  const { connection, namespaces } = useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const sort: SortColumn = searchParams.get("sort") === "id" ? "id" : "title";
  const direction: SortDirection = searchParams.get("dir") === "desc" ? "desc" : "asc";
  const filter = searchParams.get("q") ?? "";

  const rows = useMemo(() => {
    const needle = filter.toLowerCase();
    const matching = namespaces.filter((n) => !needle || n.title.toLowerCase().includes(needle) || n.id.includes(needle));
    const sorted = [...matching].sort((a, b) => (a[sort] < b[sort] ? -1 : a[sort] > b[sort] ? 1 : 0));
    return direction === "desc" ? sorted.reverse() : sorted;
  }, [namespaces, filter, sort, direction]);

  const setParam = (changes: Record<string, string | null>) =>
    setSearchParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null || v === "") next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true, preventScrollReset: true },
    );
  const sortBy = (column: SortColumn) =>
    setParam({ sort: column, dir: column === sort && direction === "asc" ? "desc" : "asc" });

  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-6">
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Namespaces</h1>
          <p className="text-sm text-muted-foreground">
            {connection.name} · <span className="font-mono">{connection.accountId}</span>{" "}
            <Badge variant="secondary">{connection.kind === "local" ? "local KV API" : "Cloudflare"}</Badge>
          </p>
        </div>
        <label className="flex w-full max-w-xs flex-col gap-1 text-sm sm:w-auto">
          <span className="sr-only">Filter namespaces</span>
          <Input
            type="search"
            placeholder="Filter by title or id"
            defaultValue={filter}
            onChange={(e) => setParam({ q: e.currentTarget.value })}
          />
        </label>
      </div>
      {namespaces.length === 0 ? (
        <p className="rounded-lg border p-8 text-center text-muted-foreground">This account has no namespaces yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">Namespaces of {connection.name}</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <SortHeader label="Title" active={sort === "title"} direction={direction} onSort={() => sortBy("title")} />
                <SortHeader label="ID" active={sort === "id"} direction={direction} onSort={() => sortBy("id")} />
              </tr>
            </thead>
            <tbody className="divide-y">
              {rows.map((n) => (
                <tr key={n.id} className="hover:bg-accent/60">
                  <td className="px-3 py-2">
                    <Link to={`/accounts/${connection.id}/namespaces/${n.id}`} className="font-medium text-primary hover:underline">
                      {n.title}
                    </Link>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs text-muted-foreground">{n.id}</td>
                </tr>
              ))}
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={2} className="px-3 py-6 text-center text-muted-foreground">
                    No namespace matches “{filter}”.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Namespaces · ${data?.connection.name ?? "kvdeck"}` }];

export function ErrorBoundary() {
  return <RouteError />;
}
