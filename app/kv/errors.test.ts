import { expect, test } from "vitest";
import { UpstreamError } from "./errors";

// The server and the Remix build used to be two module graphs, each with its own copy of this
// class, recognised across copies by shape (a Symbol.hasInstance override). The Node shell now
// takes everything from the build (server/build.ts; server/boundary.test.ts keeps it so), so there
// is one class per process and instanceof is plain JavaScript again.
test("instanceof UpstreamError recognises an UpstreamError and nothing else", () => {
  expect(new UpstreamError("timeout", "slow") instanceof UpstreamError).toBe(true);
  expect(new Error("plain") instanceof UpstreamError).toBe(false);
  expect({ name: "UpstreamError", kind: "x", details: {} } instanceof UpstreamError).toBe(false);
});

test("an error shaped like an UpstreamError is not one: there is no second copy to stand in for", () => {
  class Lookalike extends Error {
    readonly name = "UpstreamError";
    constructor(
      readonly kind: string,
      message: string,
      readonly details = {},
    ) {
      super(message);
    }
  }
  expect(new Lookalike("unavailable", "down") instanceof UpstreamError).toBe(false);
});
