import { parseWithZod } from "@conform-to/zod";
import { describe, expect, test } from "vitest";
import type { KeyRule } from "~/kv/key-rule";
import { bulkExpiryPayload, jobForm, jobStartFromForm, ruleFormEntries } from "./payloads";

const UPLOAD_ID = "0b6f1a9e-2a4c-4f59-9a51-7d1f3c2e8b10";

const form = (entries: [string, string][]) => {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
};
const parse = (entries: [string, string][]) => parseWithZod(form(entries), { schema: jobForm });
/** The start options of a valid submission, or the field errors of an invalid one. */
const started = (entries: [string, string][]) => {
  const submission = parse(entries);
  if (submission.status !== "success") throw new Error(`refused: ${JSON.stringify(submission.error)}`);
  return jobStartFromForm(submission.value);
};
const errors = (entries: [string, string][]) => {
  const submission = parse(entries);
  expect(submission.status).toBe("error");
  return submission.status === "error" ? submission.error : undefined;
};

describe("jobForm accepts every kind's plain fields", () => {
  test("delete-selected: each key a field of its own", () => {
    expect(
      started([
        ["kind", "delete-selected"],
        ["keys", "a"],
        ["keys", "b/c"],
        ["totalEstimate", "2"],
      ]),
    ).toEqual({
      kind: "delete-selected",
      payload: { keys: ["a", "b/c"] },
      dryRun: false,
      totalEstimate: 2,
    });
  });

  test("purge: the rule from its fields, a dry run from a checkbox; no rule field is every key", () => {
    const rule: KeyRule = { prefix: "tmp:", metadata: [{ field: "tag", op: "equals", value: "old" }], noExpiry: true };
    expect(started([["kind", "purge"], ["dryRun", "on"], ...ruleFormEntries(rule)])).toEqual({
      kind: "purge",
      payload: { rule },
      dryRun: true,
      totalEstimate: undefined,
    });
    expect(started([["kind", "purge"]]).payload).toEqual({ rule: {} });
  });

  test("export: an unchecked values box means no values; no rule means the whole namespace", () => {
    expect(
      started([
        ["kind", "export"],
        ["format", "json"],
      ]).payload,
    ).toEqual({ format: "json", values: false });
    expect(started([["kind", "export"], ["values", "on"], ...ruleFormEntries({ glob: "a*" })]).payload).toEqual({
      rule: { glob: "a*" },
      format: "ndjson",
      values: true,
    });
  });

  test("import: the saved upload's id becomes the payload's uploadId", () => {
    expect(
      started([
        ["kind", "import"],
        ["file", UPLOAD_ID],
        ["format", "ndjson"],
        ["onCollision", "skip"],
      ]).payload,
    ).toEqual({
      uploadId: UPLOAD_ID,
      format: "ndjson",
      onCollision: "skip",
    });
  });

  test("import in the browser: a chosen file passes, no file is refused on the file field", () => {
    const data = form([
      ["kind", "import"],
      ["format", "json"],
    ]);
    data.set("file", new File(["{}"], "keys.json"));
    expect(parseWithZod(data, { schema: jobForm }).status).toBe("success");
    expect(
      errors([
        ["kind", "import"],
        ["format", "json"],
      ]),
    ).toEqual({ file: ["Choose a file to import."] });
  });

  test("copy and move: the kind is the mode", () => {
    for (const kind of ["copy", "move"] as const) {
      expect(
        started([
          ["kind", kind],
          ["targetNamespaceId", "ns2"],
          ["onCollision", "skip"],
        ]),
      ).toMatchObject({
        kind,
        payload: { targetNamespaceId: "ns2", onCollision: "skip" },
      });
    }
  });

  test("bulk-expiry: a TTL, a time or clear", () => {
    expect(
      started([
        ["kind", "bulk-expiry"],
        ["expirationTtl", "86400"],
      ]).payload,
    ).toEqual({ rule: {}, expirationTtl: 86400 });
    expect(started([["kind", "bulk-expiry"], ["expiration", "1900000000"], ...ruleFormEntries({ prefix: "p" })]).payload).toEqual({
      rule: { prefix: "p" },
      expiration: 1900000000,
    });
    expect(
      started([
        ["kind", "bulk-expiry"],
        ["clear", "on"],
      ]).payload,
    ).toEqual({ rule: {}, clear: true });
  });

  test("what the form starts passes the kind's own payload schema", () => {
    const { payload } = started([["kind", "bulk-expiry"], ["expirationTtl", "600"], ...ruleFormEntries({ expiringBefore: 1_800_000_000 })]);
    expect(bulkExpiryPayload.safeParse(payload).success).toBe(true);
  });

  test("a total estimate the database cannot hold is no estimate", () => {
    expect(
      started([
        ["kind", "purge"],
        ["totalEstimate", "1e300"],
      ]).totalEstimate,
    ).toBeUndefined();
    expect(
      started([
        ["kind", "purge"],
        ["totalEstimate", "-3"],
      ]).totalEstimate,
    ).toBeUndefined();
  });
});

describe("jobForm refuses, naming the field", () => {
  test("a kind that is not one, or none", () => {
    expect(errors([["kind", "../../etc"]])).toEqual({ kind: ["Unknown job kind."] });
    expect(errors([])).toEqual({ kind: ["Unknown job kind."] });
  });

  test("values out of range, by field", () => {
    expect(
      errors([
        ["kind", "bulk-expiry"],
        ["expirationTtl", "1e20"],
      ]),
    ).toEqual({
      expirationTtl: ["An expiry TTL is at most 3,153,600,000 seconds (100 years)."],
    });
    expect(
      errors([
        ["kind", "bulk-expiry"],
        ["expiration", "1e20"],
      ]),
    ).toEqual({ expiration: ["Choose an expiry date before the year 10000."] });
    expect(
      errors([
        ["kind", "copy"],
        ["targetNamespaceId", "x"],
        ["targetConnectionId", "1e20"],
      ]),
    ).toEqual({
      targetConnectionId: ["There is no such connection."],
    });
    expect(Object.keys(errors([["kind", "copy"]]) ?? {})).toEqual(["targetNamespaceId"]);
    expect(
      Object.keys(
        errors([
          ["kind", "export"],
          ["format", "xml"],
        ]) ?? {},
      ),
    ).toEqual(["format"]);
  });

  test("fields the kind does not take, such as a JSON payload blob", () => {
    expect(
      errors([
        ["kind", "export"],
        ["payload", "{}"],
      ]),
    ).toEqual({ "": ["The form has fields this kind of job does not take."] });
    expect(
      errors([
        ["kind", "purge"],
        ["expirationTtl", "600"],
      ]),
    ).toEqual({ "": ["The form has fields this kind of job does not take."] });
  });

  test("a bad rule field is named by its path", () => {
    expect(
      Object.keys(
        errors([
          ["kind", "purge"],
          ["rule.regex", "("],
        ]) ?? {},
      ),
    ).toEqual(["rule.regex"]);
    expect(
      errors([
        ["kind", "purge"],
        ["rule.metadata[0].field", "tag"],
        ["rule.metadata[0].op", "equals"],
      ]),
    ).toEqual({
      "rule.metadata[0].value": ["Give a value to compare with"],
    });
  });

  test("a delete with no key, and an expiry with none or two of its choices", () => {
    expect(errors([["kind", "delete-selected"]])).toEqual({ keys: ["Select at least one key"] });
    expect(errors([["kind", "bulk-expiry"]])).toEqual({ "": ["Choose exactly one of expiration, expirationTtl or clear"] });
    expect(
      errors([
        ["kind", "bulk-expiry"],
        ["clear", "on"],
        ["expirationTtl", "600"],
      ]),
    ).toEqual({
      "": ["Choose exactly one of expiration, expirationTtl or clear"],
    });
  });
});

test("ruleFormEntries round-trips every condition of a rule", () => {
  const rule: KeyRule = {
    prefix: "a/",
    glob: "*.json",
    regex: "^a",
    metadata: [
      { field: "tag", op: "contains", value: "x" },
      { field: "owner", op: "exists" },
    ],
    expiringBefore: 1_800_000_000,
  };
  expect(started([["kind", "purge"], ...ruleFormEntries(rule)]).payload).toEqual({ rule });
});
