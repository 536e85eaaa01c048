// Who may watch a topic: the same checks as the pages and routes whose data it carries. Every
// topic needs a signed-in user (the auth gate, and the /live route's requireUser); then
// - a job (the job page's loader, requireJob): the job exists;
// - the unfinished jobs or dry runs (the tray, the jobs list): nothing more;
// - a namespace's job activity (the namespaces list's loader, requireConnection): the connection exists.
import type { AppServices } from "~/context.server";
import { getJob } from "~/jobs/api.server";
import { MAX_ROW_ID } from "~/utils/row-id";
import { type LiveTopic, parseTopic } from "./protocol";

type TopicServices = Pick<AppServices, "jobs" | "connections">;

export interface TopicRefusal {
  status: number;
  message: string;
}

export type TopicCheck = { ok: true; topic: LiveTopic } | { ok: false; refusal: TopicRefusal };

/** The topic parsed, if the user may watch it; else why not (as the route it replaces would answer). */
export async function checkTopic(services: TopicServices, name: string): Promise<TopicCheck> {
  const topic = parseTopic(name);
  if (!topic) return { ok: false, refusal: { status: 400, message: "kvdeck has no such live topic." } };
  switch (topic.kind) {
    case "job":
      return (await getJob({ services, jobId: topic.jobId }))
        ? { ok: true, topic }
        : { ok: false, refusal: { status: 404, message: "There is no such job." } };
    case "jobs":
      return { ok: true, topic };
    case "namespace": {
      const connection = topic.connectionId <= MAX_ROW_ID ? await services.connections.get(topic.connectionId) : null;
      return connection ? { ok: true, topic } : { ok: false, refusal: { status: 404, message: "There is no such account in kvdeck." } };
    }
  }
}
