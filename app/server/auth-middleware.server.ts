// The gate in front of every Remix request (static assets and the local KV API are mounted before
// it and do not pass through). In order, for each request:
//   1. a non-GET/HEAD request with a body over MAX_REQUEST_BODY_BYTES: 413, before anything reads it;
//   2. a non-GET/HEAD request from another origin (Origin, else Sec-Fetch-Site): 403;
//      one whose body is not a form (app/utils/form-data.server.ts): 415;
//   3. the session cookie → user, handed to Remix through the load context;
//   4. public paths (/sign-in, /healthz, /__manifest) pass;
//   5. nobody signed in: documents redirect to /sign-in?redirectTo=…, everything else gets 401 JSON
//      (single-fetch `.data`, JSON, event streams, downloads);
//   6. /admin/** needs an admin; a change needs the role MUTATION_ROLES names, else an editor.
// Routes check roles again with app/auth/guards.server.ts, so neither layer alone is trusted.
import type { AppLoadContext } from "@remix-run/node";
import type { Request, RequestHandler, Response } from "express";
import type { RequestAuth } from "~/auth/request.server";
import { ROLE_LABELS, roleAtLeast, type Role, type SessionUser } from "~/auth/roles";
import type { SessionStore } from "~/auth/sessions.server";
import type { SignInThrottle } from "~/auth/throttle.server";
import { MAX_IMPORT_FILE_BYTES } from "~/jobs/types";
import { formContentProblem } from "~/utils/form-data.server";

/** Workers KV's largest value is 25 MiB; a form carrying one, with its other fields, fits in 30. */
export const MAX_REQUEST_BODY_BYTES = 30 * 1024 * 1024;
/** Import uploads (multipart, streamed to disk by the jobs route) may be larger. */
export const MAX_IMPORT_UPLOAD_BYTES = MAX_IMPORT_FILE_BYTES + 64 * 1024; // the file plus multipart framing
const IMPORT_UPLOAD_PATH = /^\/accounts\/[^/]+\/namespaces\/[^/]+\/jobs(\.data)?$/;

/**
 * Reachable without a session. `/__manifest` is Remix's route-discovery endpoint: it lists route
 * ids and module URLs, which the public client assets hold anyway, and the sign-in page needs it.
 */
const PUBLIC_PATHS = new Set(["/sign-in", "/healthz", "/__manifest"]);
/**
 * The role a non-GET/HEAD request needs, by route path (first match); any other change needs an
 * editor. Routes repeat these checks with requireRole (app/auth/guards.server.ts).
 */
const MUTATION_ROLES: [RegExp, Role][] = [
  // Signing in and out.
  [/^\/sign-(in|out)$/, "viewer"],
  // Namespaces: create, rename, delete (routes/accounts.$connectionId._index).
  [/^\/accounts\/[^/]+$/, "admin"],
  [/^\/admin(\/|$)/, "admin"],
];
const SAFE_METHODS = new Set(["GET", "HEAD"]);
const SAME_SITE_FETCHES = new Set(["same-origin", "none"]);

/** The gate, over the process's sessions and sign-in throttle (app/services.server.ts). */
export function authMiddleware(services: { sessions: SessionStore; throttle: SignInThrottle }): RequestHandler {
  const { sessions, throttle } = services;
  const middleware: RequestHandler = (req, res, next) => {
    gate(req, res).then((pass) => (pass ? next() : undefined), next);
  };

  async function gate(req: Request, res: Response): Promise<boolean> {
    const mutating = !SAFE_METHODS.has(req.method);
    if (mutating) {
      const tooBig = bodyTooBig(req);
      if (tooBig) {
        res.setHeader("Connection", "close");
        refuse(req, res, tooBig.status, tooBig.message);
        return false;
      }
      if (!sameOrigin(req)) {
        refuse(req, res, 403, "This request came from another site, so kvdeck refused it.");
        return false;
      }
      const notAForm = formContentProblem(req.get("content-type"), Number(req.get("content-length") ?? 0) > 0);
      if (notAForm) {
        refuse(req, res, 415, notAForm);
        return false;
      }
    }

    const resolved = await sessions.resolve(req.headers.cookie);
    const user = resolved?.user ?? null;
    const auth: RequestAuth = {
      clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
      secure: req.secure,
      sessionId: resolved?.sessionId ?? null,
      sessions,
      throttle,
    };
    res.locals.user = user;
    res.locals.auth = auth;

    const path = routePath(req.path);
    if (PUBLIC_PATHS.has(path)) return true;
    if (!user) {
      const signIn = `/sign-in?${new URLSearchParams({ redirectTo: req.originalUrl })}`;
      if (wantsDocument(req)) {
        res.redirect(mutating ? 303 : 302, signIn);
      } else {
        res.status(401).set("Cache-Control", "no-store").json({ message: "Sign in to continue.", signIn });
      }
      return false;
    }
    if ((path === "/admin" || path.startsWith("/admin/")) && !roleAtLeast(user.role, "admin")) {
      refuse(req, res, 403, `Only admins can open this page; you are signed in as ${describe(user)}.`);
      return false;
    }
    const needed = mutating ? (MUTATION_ROLES.find(([pattern]) => pattern.test(path))?.[1] ?? "editor") : "viewer";
    if (!roleAtLeast(user.role, needed)) {
      refuse(req, res, 403, `This change needs the ${needed} role; you are signed in as ${describe(user)}.`);
      return false;
    }
    return true;
  }

  return middleware;
}

/** What Remix's load context gets from the middlewares (merge it with the services). */
export function requestContext(res: Response): Pick<AppLoadContext, "user" | "cspNonce" | "auth"> {
  return {
    user: (res.locals.user as SessionUser | null | undefined) ?? null,
    cspNonce: res.locals.cspNonce as string | undefined,
    auth: res.locals.auth as RequestAuth | undefined,
  };
}

/** Express's `trust proxy` from KVDECK_TRUST_PROXY: unset/false, true, a hop count, or addresses/subnets. */
export function trustProxySetting(value: string | undefined): boolean | number | string {
  const v = value?.trim() ?? "";
  if (v === "" || v === "false") return false;
  if (v === "true") return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/**
 * The route a URL path names, the way Remix matches it: dot segments resolved, percent-escapes
 * decoded, case folded (Remix matches case-insensitively), repeated and trailing slashes dropped,
 * and single-fetch `.data` suffixes removed.
 */
export function routePath(rawPath: string): string {
  // Twice: an escaped slash or dot decodes into segments that must be resolved in turn.
  let path = rawPath;
  for (let round = 0; round < 2; round++) path = safeDecode(new URL(path.replace(/\/{2,}/g, "/"), "http://kvdeck.invalid").pathname);
  path = path.toLowerCase().replace(/\/{2,}/g, "/");
  if (path === "/_root.data") return "/";
  if (path.endsWith(".data")) path = path.slice(0, -".data".length);
  return path.length > 1 ? path.replace(/\/+$/, "") || "/" : path;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    // A malformed escape: Remix will not match it either; check it as it is.
    return path;
  }
}

function wantsDocument(req: Request): boolean {
  if (req.path.endsWith(".data")) return false;
  return /\btext\/html\b/.test(req.get("accept") ?? "");
}

function bodyTooBig(req: Request): { status: number; message: string } | null {
  const length = req.get("content-length");
  if (length !== undefined) {
    // Import files are streamed to disk by their route, which enforces its own, larger cap.
    const cap = IMPORT_UPLOAD_PATH.test(req.path) ? MAX_IMPORT_UPLOAD_BYTES : MAX_REQUEST_BODY_BYTES;
    return Number(length) > cap ? { status: 413, message: `The request is larger than kvdeck accepts (${cap / 1024 / 1024} MiB).` } : null;
  }
  // Browsers always send a length with a form or a file; a stream of unknown size could be anything.
  if (req.get("transfer-encoding")) return { status: 411, message: "Send the request with a Content-Length." };
  return null;
}

/** The browser says where the request came from; it must be this app's own origin. */
function sameOrigin(req: Request): boolean {
  const origin = req.get("origin");
  if (origin !== undefined) return origin.toLowerCase() === `${req.protocol}://${requestHost(req)}`.toLowerCase();
  const site = req.get("sec-fetch-site");
  // Neither header: not a browser, so not cross-site request forgery (and no cookie rides along).
  return site === undefined || SAME_SITE_FETCHES.has(site);
}

/** The host the client asked for: X-Forwarded-Host from a trusted proxy, else Host. */
function requestHost(req: Request): string {
  const trust = req.app.get("trust proxy fn") as ((address: string | undefined, hop: number) => boolean) | undefined;
  const forwarded = req.get("x-forwarded-host");
  if (forwarded && trust?.(req.socket.remoteAddress, 0)) return forwarded.split(",")[0].trim();
  return req.get("host") ?? "";
}

function describe(user: SessionUser): string {
  return `${user.username} (${ROLE_LABELS[user.role].toLowerCase()})`;
}

/** A refusal in the form the client reads: a small page for a browser's document request, JSON otherwise. */
function refuse(req: Request, res: Response, status: number, message: string): void {
  res.status(status).set("Cache-Control", "no-store");
  if (!wantsDocument(req)) {
    res.json({ message });
    return;
  }
  const title = { 403: "Not allowed", 411: "Length required", 413: "Request too large", 415: "Not a form" }[status] ?? "Refused";
  res
    .type("html")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · kvdeck</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem">` +
        `<h1>${title}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to kvdeck</a></p></body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
