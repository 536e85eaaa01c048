// Validates local KV API responses against Cloudflare's published OpenAPI schemas: the 2026 file,
// and the 2024 file too wherever it has the operation. Copies of both are kept in
// packages/local-kv/test/fixtures/openapi/ (where each was cut from: its `info` block), so the tests
// run on any fresh clone.
//
// Both files have defects that reject answers the real API gives (see KNOWN_DEFECTS). They are
// patched here, each for a stated reason, and packages/local-kv/test/openapi.test.ts shows
// that every patch is needed: the unpatched schema rejects a genuine answer.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export type SpecName = "2024" | "2026";

export const REFERENCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/openapi");
const SPEC_FILES: Record<SpecName, string> = {
  "2024": "cloudflare-kv-openapi.json",
  "2026": "cloudflare-kv-openapi-2026.json",
};
const API_PREFIX = "/client/v4";

/** Raw OpenAPI documents: walked and patched by hand, not worth typing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an untyped JSON tree, indexed freely by the walkers below
type Json = any;

interface Defect {
  spec: SpecName;
  why: string;
  patch(doc: Json): void;
}

const schemas = (doc: Json) => doc.components.schemas;
const op = (doc: Json, method: string, template: string) => doc.paths[template][method.toLowerCase()];
const FAILURE_REF = { $ref: "#/components/schemas/workers-kv_api-response-common-failure" };
const NS = "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}";

export const KNOWN_DEFECTS: Record<string, Defect> = {
  listMetadataIsAnyJson: {
    spec: "2024",
    why:
      "types metadata as an object; Workers KV stores any JSON as metadata and reads a key without " +
      "metadata as `result: null` (the 2026 file fixed this with workers-kv_any)",
    patch: (doc) => {
      schemas(doc)["workers-kv_list_metadata"] = { description: "Arbitrary JSON (patched: any JSON, or null)." };
    },
  },
  bulkWriteRequiredOnArray: {
    spec: "2024",
    why: "puts `required: [key, value]` on the bulk_write array instead of on its items, so it checks nothing",
    patch: (doc) => {
      const bulk = schemas(doc)["workers-kv_bulk_write"];
      bulk.items.required = bulk.required;
      delete bulk.required;
    },
  },
  bulkGetMissingKeyIsNull: {
    spec: "2026",
    why: "bulk-get-result does not allow null, but a key that does not exist reads as null",
    patch: (doc) => {
      schemas(doc)["workers-kv_bulk-get-result"].properties.values.additionalProperties.oneOf.push({ type: "null" });
    },
  },
  bulkGetResultIsAmbiguous: {
    spec: "2026",
    why:
      "uses oneOf for the two bulk get result shapes, but every withMetadata answer ({value, metadata} " +
      "objects) also matches the plain shape's `object` alternative, so oneOf rejects it",
    patch: (doc) => {
      const result = op(doc, "POST", `${NS}/bulk/get`).responses["200"].content["application/json"].schema.allOf[1].properties.result;
      result.anyOf = result.oneOf;
      delete result.oneOf;
    },
  },
  bulkFailureIsSuccess: {
    spec: "2026",
    why: "gives the 4XX answers of bulk write and bulk delete the success schema (`success: true` only)",
    patch: (doc) => {
      for (const [method, template] of [
        ["PUT", `${NS}/bulk`],
        ["DELETE", `${NS}/bulk`],
        ["POST", `${NS}/bulk/delete`],
      ]) {
        op(doc, method, template).responses["4XX"].content["application/json"].schema = FAILURE_REF;
      }
    },
  },
};

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
}

export class OpenApiValidator {
  readonly docs: Record<SpecName, Json>;
  private readonly ajv: Record<SpecName, Ajv>;
  private readonly cache = new Map<string, ValidateFunction>();
  readonly operations: Operation[];
  /** "METHOD template 200|4XX|5XX" of every response validated against a declared schema. */
  readonly covered = new Set<string>();

  /** `skipPatches` names defects to leave unpatched (to show that a patch is needed). */
  constructor(options: { skipPatches?: string[] } = {}) {
    const skip = new Set(options.skipPatches ?? []);
    this.docs = { "2024": loadSpec("2024"), "2026": loadSpec("2026") };
    for (const [name, defect] of Object.entries(KNOWN_DEFECTS)) {
      if (!skip.has(name)) defect.patch(this.docs[defect.spec]);
    }
    this.ajv = { "2024": makeAjv(this.docs["2024"], "2024"), "2026": makeAjv(this.docs["2026"], "2026") };
    this.operations = [];
    for (const [template, item] of Object.entries<Json>(this.docs["2026"].paths)) {
      for (const method of Object.keys(item)) {
        this.operations.push({ method: method.toUpperCase(), template, pattern: templatePattern(template) });
      }
    }
  }

  /** The operation a concrete request path (with or without /client/v4) belongs to. */
  findOperation(method: string, pathname: string): Operation | null {
    const at = pathname.indexOf(API_PREFIX);
    const relative = at >= 0 ? pathname.slice(at + API_PREFIX.length) : pathname;
    return this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(relative)) ?? null;
  }

  /** Problems with a response of (method, template) in every spec that has the operation; [] when valid. */
  responseProblems(method: string, template: string, status: number, contentType: string, body: unknown): string[] {
    const problems: string[] = [];
    for (const spec of ["2026", "2024"] as const) {
      const operation = this.docs[spec].paths[template]?.[method.toLowerCase()];
      if (!operation) continue;
      const where = `${spec} ${method} ${template} → ${status}`;
      const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`];
      if (spec === "2026") this.covered.add(`${method} ${template} ${statusKey(operation, status)}`);
      if (!response) {
        // Cloudflare's 5xx answers are envelopes too, though no schema lists them.
        if (status >= 500) problems.push(...this.componentProblems(spec, "workers-kv_api-response-common-failure", body, where));
        else problems.push(`${where}: the schema declares no such status`);
        continue;
      }
      const mediaType = contentType.split(";")[0].trim().toLowerCase();
      const content = response.content?.[mediaType];
      if (!content) {
        problems.push(`${where}: content type "${mediaType}" is not one of ${Object.keys(response.content ?? {}).join(", ")}`);
        continue;
      }
      if (mediaType !== "application/json" || !content.schema) continue;
      const key = `${spec} ${method} ${template} ${status} response`;
      problems.push(...this.run(spec, key, () => rewriteRefs(content.schema, spec), body, where));
    }
    return problems;
  }

  /** Problems with a request body, in every spec that has the operation. */
  requestProblems(method: string, template: string, body: unknown): string[] {
    const problems: string[] = [];
    for (const spec of ["2026", "2024"] as const) {
      const schema = this.docs[spec].paths[template]?.[method.toLowerCase()]?.requestBody?.content?.["application/json"]?.schema;
      if (!schema) continue;
      const key = `${spec} ${method} ${template} request`;
      problems.push(...this.run(spec, key, () => rewriteRefs(schema, spec), body, `${spec} ${method} ${template} request`));
    }
    return problems;
  }

  componentProblems(spec: SpecName, name: string, data: unknown, where = `${spec} ${name}`): string[] {
    return this.run(spec, `${spec} component ${name}`, () => ({ $ref: `${specId(spec)}#/components/schemas/${name}` }), data, where);
  }

  private run(spec: SpecName, key: string, schema: () => Json, data: unknown, where: string): string[] {
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv[spec].compile(schema());
      this.cache.set(key, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || "(root)"} ${e.message} ${JSON.stringify(e.params)}`);
  }
}

let shared: OpenApiValidator | null = null;
/** One validator per process: compiling the schemas costs more than validating. */
export function openApi(): OpenApiValidator {
  shared ??= new OpenApiValidator();
  return shared;
}

/**
 * Checks one HTTP response against the schemas; returns the problems found. Responses outside the
 * Cloudflare paths (unknown routes, control endpoints) must still be Cloudflare envelopes.
 */
export async function checkResponse(method: string, url: string, response: Response): Promise<string[]> {
  const validator = openApi();
  const pathname = new URL(url).pathname;
  const contentType = response.headers.get("content-type") ?? "";
  const isJson = contentType.startsWith("application/json");
  const text = await response.clone().text();
  let body: unknown = text;
  if (isJson) {
    try {
      body = JSON.parse(text);
    } catch {
      return [`${method} ${pathname} → ${response.status}: content-type says JSON but the body is not`];
    }
  }
  const operation = validator.findOperation(method, pathname);
  if (operation) return validator.responseProblems(method, operation.template, response.status, contentType, body);
  const where = `${method} ${pathname} → ${response.status} (no operation)`;
  if (!isJson) return [`${where}: not a JSON envelope`];
  const envelope = response.status >= 400 ? "workers-kv_api-response-common-failure" : "workers-kv_api-response-common";
  return validator.componentProblems("2026", envelope, body, where);
}

/** A fetch that checks every response against the schemas and records the problems in `violations`. */
export function validatingFetch(violations: string[]): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    // The SDK probes its fetch with a data: URL before its first multipart upload.
    if (!url.startsWith("http")) return response;
    violations.push(...(await checkResponse(method.toUpperCase(), url, response)));
    return response;
  };
}

/** The key of `responses` a status falls under: "200", "4XX", or "5XX" (undeclared). */
function statusKey(operation: Json, status: number): string {
  return operation.responses[String(status)] ? String(status) : `${String(status)[0]}XX`;
}

function loadSpec(name: SpecName): Json {
  const file = path.join(REFERENCE_DIR, SPEC_FILES[name]);
  if (!fs.existsSync(file)) throw new Error(`OpenAPI file not found: ${file} (the shared folder sits beside the repository)`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

const specId = (spec: SpecName) => `https://kvdeck.test/cloudflare-kv-${spec}.json`;

function makeAjv(doc: Json, spec: SpecName): Ajv {
  // strict: false because the files carry OpenAPI and vendor keywords (example, x-stainless-…).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("binary", true);
  ajv.addSchema({ $id: specId(spec), components: doc.components });
  return ajv;
}

/** Points the "#/components/…" refs of an operation's schema at the spec registered with Ajv. */
function rewriteRefs(schema: Json, spec: SpecName): Json {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, spec));
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `${specId(spec)}${value}` : rewriteRefs(value, spec);
  }
  return out;
}

function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part === "{key_name}" ? ".+" : part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}
