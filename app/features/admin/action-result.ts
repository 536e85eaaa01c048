// What the admin pages' actions answer their fetchers: a sentence either way. (The pages import
// the type only; `answer` is for the actions, app/features/admin/*.server.ts.)
import { data } from "@remix-run/node";

export type ActionResult = { ok: true; message: string } | { ok: false; error: string };

/** An admin action's answer, with its status. */
export const answer = (result: ActionResult, status = 200) => data<ActionResult>(result, { status });
