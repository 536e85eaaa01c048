// A namespace's keys: browse and filter them, select and delete, create and edit (the page is
// app/components/keys/namespace-keys.tsx; the key panel is the child route .key).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useParams, type ClientActionFunctionArgs, type ShouldRevalidateFunction } from "@remix-run/react";
import { NamespaceKeys } from "~/components/keys/namespace-keys";
import { logKeyChange } from "~/components/keys/use-row-states";
import { RouteError } from "~/components/route-error";
import { filterSearch } from "~/kv/key-filter";
import { escapeInvisibles } from "~/utils/format";
import { changeKeys } from "./action.server";
import { loadNamespaceKeys } from "./loader.server";

export const loader = (args: LoaderFunctionArgs) => loadNamespaceKeys(args);

export const action = (args: ActionFunctionArgs) => changeKeys(args);

/** In the browser: each answer also goes to the page's pending-change model (use-row-states.ts). */
export const clientAction = (args: ClientActionFunctionArgs) => logKeyChange(args);

const namespacePath = (url: URL) => url.pathname.split("/").slice(0, 5).join("/");

/** Opening a key, scrolling or changing keys must not re-list the first page: only a new filter does. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, formAction }) => {
  if (formMethod && formMethod !== "GET") return Boolean(formAction && !formAction.startsWith(namespacePath(currentUrl)));
  if (namespacePath(currentUrl) !== namespacePath(nextUrl)) return true;
  return filterSearch(currentUrl.searchParams).toString() !== filterSearch(nextUrl.searchParams).toString();
};

export default NamespaceKeys;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${escapeInvisibles(data?.namespace.title ?? "Namespace")} · kvdeck` },
];

export function ErrorBoundary() {
  const params = useParams();
  return <RouteError backTo={`/accounts/${params.connectionId}`} backLabel="Back to namespaces" />;
}
