// A namespace's overview: what its catalog holds, as charts (recharts, decision 020), each with a
// table beside it ("Show as table"), and each bar a link into the keys table filtered to it.
import { Link, useLoaderData, useNavigate } from "@remix-run/react";
import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { loader } from "~/routes/accounts.$connectionId.namespaces.$namespaceId_.overview";
import { DELIMITER_CANDIDATES } from "~/catalog/delimiters";
import { EXPIRY_BUCKET_LABELS, expiryBucketFilter, type ExpiryBucket } from "~/catalog/expiry-buckets";
import { escapeInvisibles, formatBytes, formatCount } from "~/utils/format";
import { VisibleText } from "../key-name";
import { NamespaceHeading } from "../namespaces/namespace-heading";

type Stats = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["stats"]>;

interface Datum {
  label: string;
  keys: number;
  href: string | null;
}

export function NamespaceOverview() {
  const { connection, namespace, stats, delimiter } = useLoaderData<typeof loader>();
  const base = `/accounts/${connection.id}/namespaces/${namespace.id}`;
  return (
    <div className="mx-auto flex w-full max-w-5xl flex-col gap-6 p-4">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-2">
        <NamespaceHeading connection={connection} namespace={namespace} base={base} current="overview" />
      </div>
      {stats ? <Figures stats={stats} base={base} delimiter={delimiter} /> : <NotIndexed base={base} />}
    </div>
  );
}

function NotIndexed({ base }: { base: string }) {
  return (
    <section aria-labelledby="not-indexed" className="rounded-md border p-6">
      <h2 id="not-indexed" className="font-medium">
        Not indexed yet
      </h2>
      <p className="mt-2 text-sm text-muted-foreground">
        The overview counts what the namespace&apos;s catalog holds: kvdeck&apos;s own index of its keys, built by listing them once. Use
        “Index namespace” on the{" "}
        <Link to={base} className="underline">
          keys page
        </Link>{" "}
        to build it; the figures appear here as soon as it has keys.
      </p>
    </section>
  );
}

function keysHref(base: string, params: Record<string, string>) {
  return `${base}?${new URLSearchParams(params)}`;
}

function Figures({ stats, base, delimiter }: { stats: Stats; base: string; delimiter: string }) {
  const navigate = useNavigate();
  const prefixData: Datum[] = stats.prefixes.top.map((p) => ({
    label: p.prefix === null ? `(no “${stats.delimiter}”)` : escapeInvisibles(p.prefix),
    keys: p.keys,
    href: p.prefix === null ? null : keysHref(base, { prefix: p.prefix }),
  }));
  if (stats.prefixes.other.keys)
    prefixData.push({ label: `${formatCount(stats.prefixes.other.prefixes)} more prefixes`, keys: stats.prefixes.other.keys, href: null });
  const expiryData: Datum[] = (Object.entries(stats.expiry) as [ExpiryBucket, number][]).map(([bucket, keys]) => ({
    label: EXPIRY_BUCKET_LABELS[bucket],
    keys,
    href: keysHref(base, expiryBucketFilter(bucket, stats.nowSeconds)),
  }));
  const sizeData: Datum[] = stats.metadataSizes.map((s) => ({ label: s.label, keys: s.keys, href: null }));
  const share = (n: number) => (stats.totalKeys ? `${((100 * n) / stats.totalKeys).toFixed(1)} %` : "—");
  const go = (d: unknown) => {
    const href = (d as { payload?: Datum } | undefined)?.payload?.href;
    if (href) navigate(href);
  };

  return (
    <>
      <section aria-labelledby="totals" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <h2 id="totals" className="sr-only">
          Totals
        </h2>
        <Figure label="Keys" value={formatCount(stats.totalKeys)} />
        <Figure label="Catalog size" value={formatBytes(stats.bytes)} />
        <Figure label="With metadata" value={formatCount(stats.keysWithMetadata)} />
        <Figure
          label={stats.state === "building" ? "Being built" : "As of"}
          value={
            stats.state === "building"
              ? `${formatCount(stats.totalKeys)} keys so far`
              : stats.asOf
                ? new Date(stats.asOf).toISOString().slice(0, 16).replace("T", " ") + " UTC"
                : "—"
          }
        />
      </section>

      {stats.figuresAt ? (
        <p role="status" className="text-sm text-muted-foreground">
          The keys changed since these prefix and metadata figures were made at {new Date(stats.figuresAt).toISOString().slice(11, 19)} UTC:
          they are being made again for your next look. The totals and the expiry figures are of the keys now.
        </p>
      ) : null}

      <Chart
        id="prefixes"
        title={`Keys by prefix at “${stats.delimiter}”${stats.detected ? " (detected)" : ""}`}
        extra={
          <form method="get" className="flex items-center gap-2 text-sm">
            <label htmlFor="delimiter">Delimiter</label>
            <select id="delimiter" name="delimiter" defaultValue={delimiter} className="rounded border bg-background px-2 py-1">
              <option value="auto">auto</option>
              {DELIMITER_CANDIDATES.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
            <button type="submit" className="rounded border px-2 py-1">
              Show
            </button>
          </form>
        }
        chart={<Bars data={prefixData} onClick={go} />}
        table={
          <table className="w-full text-sm">
            <caption className="sr-only">Keys by prefix</caption>
            <thead>
              <tr>
                <th className="text-left">Prefix</th>
                <th className="text-right">Keys</th>
                <th className="text-right">Share</th>
                <th className="text-right">Bytes</th>
              </tr>
            </thead>
            <tbody>
              {stats.prefixes.top.map((p) => (
                <tr key={p.prefix ?? ""}>
                  <td>
                    {p.prefix === null ? (
                      `(no “${stats.delimiter}”)`
                    ) : (
                      <Link
                        to={keysHref(base, { prefix: p.prefix })}
                        className="underline"
                        aria-label={`Keys with prefix ${escapeInvisibles(p.prefix)}`}
                      >
                        <VisibleText text={p.prefix} />
                      </Link>
                    )}
                  </td>
                  <td className="text-right tabular-nums">{formatCount(p.keys)}</td>
                  <td className="text-right tabular-nums">{share(p.keys)}</td>
                  <td className="text-right tabular-nums">{formatBytes(p.bytes)}</td>
                </tr>
              ))}
              {stats.prefixes.other.keys ? (
                <tr>
                  <td>{formatCount(stats.prefixes.other.prefixes)} more prefixes</td>
                  <td className="text-right tabular-nums">{formatCount(stats.prefixes.other.keys)}</td>
                  <td className="text-right tabular-nums">{share(stats.prefixes.other.keys)}</td>
                  <td className="text-right tabular-nums">{formatBytes(stats.prefixes.other.bytes)}</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        }
      />

      <Chart
        id="expiry"
        title="Expiry"
        chart={<Bars data={expiryData} onClick={go} />}
        table={<DatumTable caption="Keys by expiry" data={expiryData} share={share} />}
      />

      <Chart
        id="largest"
        title="Largest prefixes (names and metadata)"
        chart={
          <Bars
            data={stats.largest.map((p) => ({
              label: escapeInvisibles(p.prefix ?? ""),
              keys: p.bytes,
              href: keysHref(base, { prefix: p.prefix ?? "" }),
            }))}
            onClick={go}
            unit="bytes"
          />
        }
        table={
          <DatumTable
            caption="Largest prefixes by bytes"
            data={stats.largest.map((p) => ({
              label: escapeInvisibles(p.prefix ?? ""),
              keys: p.bytes,
              href: keysHref(base, { prefix: p.prefix ?? "" }),
            }))}
            column="Bytes"
          />
        }
      />

      <Chart
        id="metadata-sizes"
        title="Metadata size"
        chart={<Bars data={sizeData} />}
        table={<DatumTable caption="Keys by metadata size" data={sizeData} share={share} />}
      />

      <section aria-labelledby="fields" className="rounded-md border p-4">
        <h2 id="fields" className="mb-2 font-medium">
          Metadata fields{" "}
          {stats.distinctFields > stats.fields.length ? `(top ${stats.fields.length} of ${formatCount(stats.distinctFields)})` : ""}
        </h2>
        {stats.fields.length === 0 ? <p className="text-sm text-muted-foreground">No key has metadata with fields.</p> : null}
        <div className="grid gap-4 sm:grid-cols-2">
          {stats.fields.map((f) => (
            <table key={f.field} className="w-full text-sm">
              <caption className="text-left font-medium">
                <Link to={keysHref(base, { metaField: f.field, metaOp: "exists" })} className="underline">
                  <VisibleText text={f.field} />
                </Link>{" "}
                <span className="font-normal text-muted-foreground">
                  {formatCount(f.keys)} keys · {share(f.keys)}
                </span>
              </caption>
              <thead className="sr-only">
                <tr>
                  <th>Value</th>
                  <th>Keys</th>
                </tr>
              </thead>
              <tbody>
                {f.values.map((v) => (
                  <tr key={v.value}>
                    <td className="max-w-0 truncate">
                      {v.cut ? (
                        <span>
                          <VisibleText text={v.value} />…
                        </span>
                      ) : (
                        <Link to={keysHref(base, { metaField: f.field, metaOp: "equals", metaValue: v.value })} className="underline">
                          <VisibleText text={v.value} />
                        </Link>
                      )}
                    </td>
                    <td className="w-20 text-right tabular-nums">{formatCount(v.keys)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
      </section>

      <Chart
        id="growth"
        title="Growth between listings"
        chart={
          stats.growth.length > 1 ? (
            <ResponsiveContainer width="100%" height={200}>
              <LineChart data={stats.growth.map((g) => ({ ...g, label: g.finishedAt.slice(0, 10) }))}>
                <CartesianGrid stroke="var(--border)" />
                <XAxis dataKey="label" stroke="var(--muted-foreground)" fontSize={12} />
                <YAxis stroke="var(--muted-foreground)" fontSize={12} />
                <Tooltip contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", color: "var(--foreground)" }} />
                <Line dataKey="keys" stroke="var(--primary)" isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          ) : (
            <p className="text-sm text-muted-foreground">Growth shows after the catalog has been refreshed.</p>
          )
        }
        table={
          <table className="w-full text-sm">
            <caption className="sr-only">Listings of the catalog</caption>
            <thead>
              <tr>
                <th className="text-left">Finished</th>
                <th className="text-right">Keys</th>
                <th className="text-right">Added</th>
                <th className="text-right">Removed</th>
              </tr>
            </thead>
            <tbody>
              {stats.growth.map((g) => (
                <tr key={g.scan}>
                  <td>{g.finishedAt.slice(0, 16).replace("T", " ")} UTC</td>
                  <td className="text-right tabular-nums">{formatCount(g.keys)}</td>
                  <td className="text-right tabular-nums">{formatCount(g.added)}</td>
                  <td className="text-right tabular-nums">{formatCount(g.removed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
    </>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div role="group" aria-label={label} className="rounded-md border p-3">
      <div className="text-xs text-muted-foreground">{label}</div>
      <div className="text-lg font-semibold tabular-nums">{value}</div>
    </div>
  );
}

function Chart({ id, title, chart, table, extra }: { id: string; title: string; chart: ReactNode; table: ReactNode; extra?: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-md border p-4">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 id={id} className="font-medium">
          {title}
        </h2>
        {extra}
      </div>
      {/* The chart is a picture of the table below; screen readers get the table. */}
      <div aria-hidden="true">{chart}</div>
      <details className="mt-2">
        <summary className="cursor-pointer text-sm">Show as table</summary>
        <div className="mt-2 overflow-x-auto">{table}</div>
      </details>
    </section>
  );
}

function Bars({ data, onClick, unit = "keys" }: { data: Datum[]; onClick?: (d: unknown) => void; unit?: string }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(120, data.length * 28)}>
      <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
        <CartesianGrid stroke="var(--border)" horizontal={false} />
        <XAxis type="number" stroke="var(--muted-foreground)" fontSize={12} />
        <YAxis type="category" dataKey="label" width={120} stroke="var(--muted-foreground)" fontSize={12} />
        <Tooltip
          cursor={{ fill: "var(--accent)" }}
          formatter={(value) => [formatCount(Number(value)), unit]}
          contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", color: "var(--foreground)" }}
        />
        <Bar dataKey="keys" fill="var(--primary)" isAnimationActive={false} onClick={onClick} cursor={onClick ? "pointer" : undefined} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function DatumTable({
  caption,
  data,
  share,
  column = "Keys",
}: {
  caption: string;
  data: Datum[];
  share?: (n: number) => string;
  column?: string;
}) {
  return (
    <table className="w-full text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th className="text-left">{caption.split(" by ")[1] ?? "Group"}</th>
          <th className="text-right">{column}</th>
          {share ? <th className="text-right">Share</th> : null}
        </tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.label}>
            <td>
              {d.href ? (
                <Link to={d.href} className="underline">
                  {d.label}
                </Link>
              ) : (
                d.label
              )}
            </td>
            <td className="text-right tabular-nums">{column === "Bytes" ? formatBytes(d.keys) : formatCount(d.keys)}</td>
            {share ? <td className="text-right tabular-nums">{share(d.keys)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
