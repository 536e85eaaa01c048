// What the admin pages' actions answer their fetchers: a sentence either way.
export type ActionResult = { ok: true; message: string } | { ok: false; error: string };
