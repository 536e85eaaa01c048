// Users: list, create, change role, reset password, delete. Admins only; the rules and the audit
// are in app/features/admin/users.server.ts.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { CreateUserForm } from "~/components/admin/create-user-form";
import { UserRow } from "~/components/admin/user-row";
import { RouteError } from "~/components/route-error";
import { Table, TableBody, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { changeUser, listUsersForPage } from "~/features/admin/users.server";
import { readForm } from "~/utils/form-data.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const me = await requireRole(context, "admin");
  return { users: await listUsersForPage(context), myId: me.id };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const me = await requireRole(context, "admin");
  return changeUser(context, me, await readForm(request));
}

export default function Users() {
  const { users, myId } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <section aria-labelledby="users-heading">
        <h1 id="users-heading" className="mb-3 text-xl font-semibold">
          Users
        </h1>
        <Table>
          <caption className="sr-only">Users of kvdeck</caption>
          <TableHeader>
            <TableRow>
              <TableHead>Username</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Password</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>
                <span className="sr-only">Delete</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {users.map((user) => (
              <UserRow key={user.id} user={user} isMe={user.id === myId} />
            ))}
          </TableBody>
        </Table>
      </section>
      <CreateUserForm />
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Users · kvdeck" }];

export function ErrorBoundary() {
  return <RouteError />;
}
