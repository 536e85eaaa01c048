// What the auth middleware hands a request's loaders and actions besides the user: the client's
// address, whether it came over HTTPS, and the session and throttling services.
import type { SessionStore } from "./sessions.server";
import type { SignInThrottle } from "./throttle.server";

export interface RequestAuth {
  /** The client's address (through a trusted proxy: the address the proxy saw). */
  clientIp: string;
  /** HTTPS directly or through a trusted proxy: cookies get `Secure`. */
  secure: boolean;
  /** The live session the request's cookie names, or null. */
  sessionId: string | null;
  sessions: SessionStore;
  throttle: SignInThrottle;
}
