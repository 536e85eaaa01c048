// Where a sign-in may send the browser afterwards: only a path on this site.
const SIGN_IN_PAGES = /^\/sign-(in|out)(\/|\?|$|\.data)/;

export function safeRedirect(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//")) return fallback;
  // Backslashes and control characters: browsers turn "/\\evil.example" into another host.
  if (/[\\\u0000-\u001f\u007f]/.test(to)) return fallback;
  if (SIGN_IN_PAGES.test(to)) return fallback;
  return to;
}
