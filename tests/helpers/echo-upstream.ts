// A hostile upstream for redaction tests: a tiny HTTP server on 127.0.0.1 that refuses every request
// and echoes the credentials it was sent in its error body, the way a misconfigured proxy or a
// debugging API might. Tests close it in afterAll.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface EchoUpstream {
  /** Base URL to give createHttpUpstream or a connection (…/client/v4). */
  baseUrl: string;
  /** How the next requests are refused: a Cloudflare-style JSON error, or plain text from a 5xx. */
  mode: "json-400" | "json-403" | "text-500";
  close(): Promise<void>;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const state = { mode: "json-400" as EchoUpstream["mode"] };
  const server = http.createServer((req, res) => {
    req.resume();
    const authorization = req.headers.authorization ?? "";
    const token = authorization.replace(/^Bearer\s+/i, "");
    const echo = `You sent Authorization: ${authorization}. The token ${token} (${encodeURIComponent(token)}) is not valid for ${req.url}.`;
    if (state.mode === "text-500") {
      res.writeHead(500, { "content-type": "text/plain" }).end(echo);
      return;
    }
    const status = state.mode === "json-403" ? 403 : 400;
    const body = {
      success: false,
      errors: [{ code: status === 403 ? 10001 : 10002, message: echo }],
      messages: [],
      result: null,
      echoed: { token },
    };
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
