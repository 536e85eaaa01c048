// Response headers that make the dashboard's pages safe to render: a Content-Security-Policy with a
// per-request nonce for Remix's inline scripts (res.locals.cspNonce, handed to Remix through the
// load context and from there to <RemixServer nonce>, <Scripts nonce>, <ScrollRestoration nonce>),
// no MIME sniffing, no framing, no cross-origin referrers.
//
// The local KV API under /client/v4 serves JSON to API clients, not pages: it is left alone.
import crypto from "node:crypto";
import type { RequestHandler } from "express";
import { LOCAL_KV_API_PATH } from "~/services.server";

const HSTS_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;

export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // React renders style attributes (virtualized rows, radix popovers) into the HTML.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    development ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(options: { development: boolean }): RequestHandler {
  return (req, res, next) => {
    if (req.path === LOCAL_KV_API_PATH || req.path.startsWith(`${LOCAL_KV_API_PATH}/`)) return next();
    const nonce = crypto.randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    // Vite's dev client injects scripts of its own: report there, enforce in production.
    res.setHeader(
      options.development ? "Content-Security-Policy-Report-Only" : "Content-Security-Policy",
      contentSecurityPolicy(nonce, options.development),
    );
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (req.secure) res.setHeader("Strict-Transport-Security", `max-age=${HSTS_MAX_AGE_SECONDS}`);
    next();
  };
}
