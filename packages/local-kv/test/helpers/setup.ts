// Any console.error during a test is a bug somewhere: fail the test that printed it.
import { afterEach, vi } from "vitest";

let errors: unknown[][] = [];
const original = console.error;
console.error = (...args: unknown[]) => {
  errors.push(args);
  original(...args);
};

afterEach(() => {
  const printed = errors;
  errors = [];
  vi.restoreAllMocks();
  if (printed.length > 0) {
    throw new Error(`console.error was called during the test:\n${printed.map((a) => a.map(String).join(" ")).join("\n")}`);
  }
});
