import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { VisibleText } from "~/components/key-name";
import { Badge } from "~/components/ui/badge";
import { getServices } from "~/context.server";
import { summarize } from "~/kv/connections.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const connections = (await getServices(context).connections.list()).map(summarize);
  if (connections.length === 1) throw redirect(`/accounts/${connections[0].id}`);
  return { connections };
}

export default function Accounts() {
  const { connections } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto w-full max-w-4xl px-4 py-6">
      <h1 className="mb-4 text-xl font-semibold">Accounts</h1>
      {connections.length === 0 ? (
        <p className="text-muted-foreground">No upstream account is configured.</p>
      ) : (
        <ul className="divide-y rounded-lg border">
          {connections.map((c) => (
            <li key={c.id}>
              <Link to={`/accounts/${c.id}`} className="flex items-center justify-between gap-4 px-4 py-3 hover:bg-accent">
                <VisibleText text={c.name} className="font-medium" />
                <span className="flex items-center gap-2 text-xs text-muted-foreground">
                  <span className="font-mono">{c.accountId}</span>
                  <Badge variant={c.kind === "local" ? "secondary" : "default"}>{c.kind === "local" ? "local KV API" : "Cloudflare"}</Badge>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Accounts · kvdeck" }];
