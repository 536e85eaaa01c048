import { expect, test } from "vitest";
import { UpstreamError } from "./errors";

test("an UpstreamError from another copy of the module is still recognised", () => {
  // What the server's copy of the class throws, as the Remix build's copy sees it.
  class OtherCopy extends Error {
    readonly name = "UpstreamError";
    constructor(
      readonly kind: string,
      message: string,
      readonly details = {},
    ) {
      super(message);
    }
  }
  expect(new OtherCopy("unavailable", "down") instanceof UpstreamError).toBe(true);
  expect(new UpstreamError("timeout", "slow") instanceof UpstreamError).toBe(true);
  expect(new Error("plain") instanceof UpstreamError).toBe(false);
  expect({ name: "UpstreamError", kind: "x", details: {} } instanceof UpstreamError).toBe(false);
});
