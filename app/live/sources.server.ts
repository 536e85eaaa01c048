// What produces each live topic's states (one producer per topic per process, app/live/hub.server.ts):
// - a job: watchJob (in-process events at once, the row at least every 750 ms, until it finishes);
// - the unfinished jobs (or dry runs): the job store's list with the namespaces' titles, every
//   second and soon after any job event of this process;
// - a namespace's job activity: its running job's mark from the cache and the job store (never the
//   upstream, whose request budget the job needs), every second and soon after that job's events.
import type { AppServices } from "~/context.server";
import { loadJobActivity } from "~/features/namespaces/list.server";
import { listJobs, watchJob } from "~/jobs/api.server";
import { namespaceTitles } from "~/jobs/namespace-titles.server";
import { UNFINISHED_STATES } from "~/jobs/types";
import type { TopicProducer, TopicSources } from "./hub.server";
import { pollingProducer } from "./poll.server";
import { type LiveTopic, type NamespaceActivity, UNFINISHED_JOBS_LIMIT, type UnfinishedJobs } from "./protocol";

type SourceServices = Pick<AppServices, "jobs" | "connections" | "cache">;

/** How often the lists and the namespaces' marks are read when nothing woke them. */
export const LIST_POLL_MS = 1_000;
/** After a job event, how soon a namespace's mark is read again (the mirror writes it just after the event). */
const MARK_SETTLE_MS = 150;

export function liveSources(services: SourceServices, log: (line: string) => void = console.log): TopicSources {
  const onError = (topic: string) => (error: unknown) => log(`kvdeck: live topic ${topic} could not be read: ${error}`);
  return (topic: LiveTopic): TopicProducer => {
    switch (topic.kind) {
      case "job":
        return jobProducer(services, topic.jobId, onError(`job:${topic.jobId}`));
      case "jobs":
        return pollingProducer<UnfinishedJobs>({
          read: async () => {
            const jobs = await listJobs({ services, state: UNFINISHED_STATES, dryRun: topic.dryRun, limit: UNFINISHED_JOBS_LIMIT });
            return { jobs, titles: await namespaceTitles(services, jobs) };
          },
          intervalMs: LIST_POLL_MS,
          wakeOn: (wake) => services.jobs.events.subscribe("*", (job) => job.dryRun === topic.dryRun && wake()),
          onError: onError(topic.dryRun ? "dry-runs" : "jobs"),
        });
      case "namespace":
        return pollingProducer<NamespaceActivity>({
          read: async () => {
            const connection = await services.connections.get(topic.connectionId);
            if (!connection) return null;
            const activity = await loadJobActivity(services, connection.accountId, [topic.namespaceId]);
            return activity[topic.namespaceId] ?? null;
          },
          intervalMs: LIST_POLL_MS,
          minGapMs: MARK_SETTLE_MS,
          wakeOn: (wake) =>
            services.jobs.events.subscribe("*", (job) => {
              if (job.connectionId === topic.connectionId && job.namespaceId === topic.namespaceId)
                setTimeout(wake, MARK_SETTLE_MS).unref();
            }),
          onError: onError(`namespace:${topic.connectionId}/${topic.namespaceId}`),
        });
    }
  };
}

/**
 * A job's snapshots through watchJob, until it has finished (its final snapshot stays the topic's
 * state). A read that fails is logged and the watch starts again a poll later.
 */
function jobProducer(services: SourceServices, jobId: string, onError: (error: unknown) => void): TopicProducer {
  return (emit) => {
    const abort = new AbortController();
    const { signal } = abort;
    void (async () => {
      while (!signal.aborted) {
        try {
          for await (const snapshot of watchJob({ services, jobId, signal })) emit(snapshot);
          return;
        } catch (error) {
          if (signal.aborted) return;
          onError(error);
          await new Promise((resolve) => setTimeout(resolve, LIST_POLL_MS).unref());
        }
      }
    })();
    return () => abort.abort();
  };
}
