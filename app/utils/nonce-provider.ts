// The request's CSP nonce for components that render inline scripts (<Scripts>, <ScrollRestoration>).
// Set on the server by entry.server.tsx; in the browser it is "", which matches what the browser
// shows of a nonce attribute after reading it, so hydration sees no difference.
import { createContext, useContext } from "react";

const NonceContext = createContext<string>("");

export const NonceProvider = NonceContext.Provider;

export const useNonce = () => useContext(NonceContext);
