// How kvdeck reads a change: every action takes a form (URL-encoded, or multipart for uploads).
// Anything else is refused with a 4xx that says what is wrong, never a 500: the auth middleware
// refuses another content type before the body is read (415), and `readForm`, which every action
// uses, refuses a body that does not parse (400), a field over its size (413), and, for an action
// called past the middleware, another content type (415) too.
import { z } from "zod";
import { MAX_ROW_ID } from "./row-id";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/** The media type of a Content-Type header, lower-cased, without parameters; "" when none. */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** Why a change with this Content-Type (and a body or not) is refused, or null when it is a form. */
export function formContentProblem(contentType: string | null | undefined, hasBody: boolean): string | null {
  const type = mediaType(contentType);
  // A button with no fields may send nothing at all, of any type: an empty form.
  if (!hasBody || FORM_TYPES.has(type)) return null;
  return (
    `kvdeck takes changes as forms (application/x-www-form-urlencoded or multipart/form-data); ` +
    `this request sent ${type ? type : "a body without a Content-Type"}.`
  );
}

/** A form field naming a row by its id: a positive whole number the id column can hold. */
export function rowIdField(what: string) {
  const message = `The ${what} id must be a whole number from 1 to ${MAX_ROW_ID}.`;
  return z.coerce.number({ invalid_type_error: message }).int(message).min(1, message).max(MAX_ROW_ID, message);
}

/**
 * A thrown JSON Response: a route's ErrorBoundary shows its `message`, a fetcher reads `error`. A
 * Response rather than `data()`, because resource routes (the jobs route) answer only Responses.
 */
function refusal(status: number, message: string): never {
  throw new Response(JSON.stringify({ ok: false, message, error: message }), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/**
 * The request's form; an empty body of any type is an empty form. `parse` reads the body
 * (default `request.formData()`; the import route parses multipart itself). Errors that are not
 * about the body (an upload handler's own refusal, a database error) are rethrown as they are.
 */
export async function readForm(request: Request, parse: (request: Request) => Promise<FormData> = (r) => r.formData()): Promise<FormData> {
  const type = mediaType(request.headers.get("content-type"));
  if (!FORM_TYPES.has(type)) {
    const body = request.body ? await request.text() : "";
    if (body === "") return new FormData();
    refusal(415, formContentProblem(type, true)!);
  }
  try {
    return await parse(request);
  } catch (error) {
    if (isPartTooLarge(error)) refusal(413, `The form field "${error.field}" is over ${error.maxBytes.toLocaleString("en")} bytes.`);
    if (isUnreadableBody(error))
      refusal(400, `The request's form data could not be read (${(error as Error).message}). Send a well-formed ${type} body.`);
    throw error;
  }
}

/** Remix's MaxPartSizeExceededError, by shape (the server and the build are two module graphs). */
function isPartTooLarge(error: unknown): error is { field: string; maxBytes: number } {
  return (
    error instanceof Error &&
    typeof (error as { field?: unknown }).field === "string" &&
    typeof (error as { maxBytes?: unknown }).maxBytes === "number"
  );
}

/** What fetch's formData() (TypeError) and Remix's multipart parser ("malformed …") throw on a bad body. */
function isUnreadableBody(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && /^malformed (multipart|content-disposition)/i.test(error.message));
}
