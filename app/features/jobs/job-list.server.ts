// The jobs list: the jobs people started (dry runs apart, under `?dryRuns=1`: they change
// nothing), newest first; `?connection=&namespace=` keeps those of one namespace.
import { data, type AppLoadContext } from "@remix-run/node";
import { getServices } from "~/context.server";
import { listJobs } from "~/jobs/api.server";
import { namespaceTitles } from "~/jobs/namespace-titles.server";

const PAGE = 100;

export async function loadJobList(context: AppLoadContext, search: URLSearchParams) {
  const dryRuns = search.get("dryRuns") === "1";
  const connectionParam = search.get("connection");
  const namespaceId = search.get("namespace");
  const connectionId = connectionParam === null ? undefined : Number(connectionParam);
  if (connectionId !== undefined && !(Number.isInteger(connectionId) && connectionId > 0)) {
    throw data({ message: "The connection in the address is not a connection id." }, { status: 400 });
  }
  if (namespaceId !== null && (connectionId === undefined || namespaceId === "")) {
    throw data({ message: "A namespace needs its connection in the address (?connection=…&namespace=…)." }, { status: 400 });
  }
  const services = getServices(context);
  const jobs = await listJobs({ services, limit: PAGE, dryRun: dryRuns, connectionId, namespaceId: namespaceId ?? undefined });
  const scope = connectionId !== undefined && namespaceId ? { connectionId, namespaceId } : null;
  const titles = await namespaceTitles(services, scope ? [...jobs, { kind: "purge", ...scope, payload: null }] : jobs);
  return { jobs, titles, dryRuns, scope };
}
