// Connections: the upstream accounts kvdeck manages. Admins list, add and delete them here, and set
// each one's recycle bin (a copy before deletes by default, retention, size cap); the
// rules, the sealing of tokens and the audit are in app/features/admin/connections.server.ts.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { AddConnectionForm } from "~/components/admin/add-connection-form";
import { ConnectionRow } from "~/components/admin/connection-row";
import { RecycleSettingsForm } from "~/components/admin/recycle-settings-form";
import { RouteError } from "~/components/route-error";
import { Table, TableBody, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { changeConnection, listConnectionsForPage } from "~/features/admin/connections.server";
import { readForm } from "~/utils/form-data.server";

export async function loader({ context }: LoaderFunctionArgs) {
  await requireRole(context, "admin");
  return listConnectionsForPage(context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireRole(context, "admin");
  return changeConnection(context, await readForm(request));
}

export default function Connections() {
  const { connections, servesLocalKv, bins } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <section aria-labelledby="connections-heading">
        <h1 id="connections-heading" className="mb-3 text-xl font-semibold">
          Connections
        </h1>
        <Table>
          <caption className="sr-only">Upstream accounts</caption>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Account id</TableHead>
              <TableHead>API</TableHead>
              <TableHead>Added</TableHead>
              <TableHead>
                <span className="sr-only">Delete</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {connections.map((c) => (
              <ConnectionRow key={c.id} connection={c} />
            ))}
          </TableBody>
        </Table>
      </section>
      <AddConnectionForm servesLocalKv={servesLocalKv} />
      <section aria-labelledby="recycle-heading" className="grid gap-3">
        <h2 id="recycle-heading" className="text-lg font-semibold">
          Recycle bin
        </h2>
        <p className="text-sm text-muted-foreground">
          Before kvdeck deletes keys it can keep a copy of them, so a delete can be undone and its keys restored from the namespace&apos;s
          recycle bin. Copies past their retention go for good.
        </p>
        {bins.map((bin) => (
          <RecycleSettingsForm key={bin.id} bin={bin} />
        ))}
      </section>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Connections · kvdeck" }];

export function ErrorBoundary() {
  return <RouteError />;
}
