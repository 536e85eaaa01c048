// Where a namespace's page is: the account it belongs to, its title, and its views (Keys, Overview, Recycle bin),
// the one in view marked as the current page. Shared by the keys page and the overview.
import { Link } from "@remix-run/react";
import { VisibleText } from "../key-name";

const VIEWS = [
  { view: "keys", label: "Keys", path: "" },
  { view: "overview", label: "Overview", path: "/overview" },
  { view: "bin", label: "Recycle bin", path: "/bin" },
] as const;

export function NamespaceHeading({
  connection,
  namespace,
  base,
  current,
}: {
  connection: { id: number; name: string };
  namespace: { title: string };
  /** The namespace's keys page. */
  base: string;
  current: (typeof VIEWS)[number]["view"];
}) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <Link to={`/accounts/${connection.id}`} className="hover:text-foreground hover:underline">
          <VisibleText text={connection.name} />
        </Link>
        <span aria-hidden> / </span>
      </nav>
      <h1 className="min-w-0 break-words text-lg font-semibold">
        {current === "overview" ? "Overview of " : current === "bin" ? "Recycle bin of " : null}
        <VisibleText text={namespace.title} />
      </h1>
      <nav aria-label="Namespace views" className="flex gap-3 text-sm">
        {VIEWS.map(({ view, label, path }) =>
          view === current ? (
            <span key={view} aria-current="page" className="font-medium">
              {label}
            </span>
          ) : (
            <Link key={view} to={`${base}${path}`} className="underline-offset-4 hover:underline">
              {label}
            </Link>
          ),
        )}
      </nav>
    </>
  );
}
