// StatusBadge as server-rendered HTML (no DOM needed): what the row badge says and shows.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import type { OverlayMeta } from "~/cache/types";
import { StatusBadge } from "./status-badge";

type Meta = Pick<OverlayMeta, "status" | "progress" | "message" | "error" | "retryCount" | "maxRetries" | "stage"> & {
  intent?: OverlayMeta["intent"];
};

const base: Meta = { status: "deleting", progress: null, message: null, error: null, retryCount: 0, maxRetries: 0, stage: null };
const render = (patch: Partial<Meta>) => renderToStaticMarkup(<StatusBadge meta={{ ...base, ...patch }} />);

/** The text a reader sees: markup stripped, entities decoded. */
function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'");
}

/** Attributes of the first element with role="progressbar", or null when there is none. */
function progressbar(html: string): Record<string, string> | null {
  const m = /<[a-z]+\s([^>]*role="progressbar"[^>]*)>/.exec(html);
  if (!m) return null;
  const attrs: Record<string, string> = {};
  for (const [, name, value] of m[1].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[name] = value;
  return attrs;
}

describe("StatusBadge", () => {
  test("progress 0 renders a progress bar at 0, and no stray '0' text", () => {
    const html = render({ status: "processing", progress: 0 });
    const bar = progressbar(html);
    expect(bar).not.toBeNull();
    expect(bar!["aria-valuenow"]).toBe("0");
    expect(bar!["aria-valuemax"]).toBe("100");
    expect(bar!["aria-label"]).toBe("Processing progress");
    // `{progress && <Bar/>}` would print "0" next to the label.
    expect(text(html)).toBe("Processing");
  });

  test("progress is shown in percent and clamped", () => {
    expect(progressbar(render({ progress: 0.42 }))!["aria-valuenow"]).toBe("42");
    expect(progressbar(render({ progress: 1 }))!["aria-valuenow"]).toBe("100");
    expect(progressbar(render({ progress: 1.7 }))!["aria-valuenow"]).toBe("100");
  });

  test("progress null (unknown) renders no bar", () => {
    const html = render({ status: "deleting", progress: null });
    expect(progressbar(html)).toBeNull();
    expect(html).not.toContain("progressbar");
    expect(text(html)).toBe("Deleting");
  });

  test("an error says Error and carries the message in the title", () => {
    const message = 'Delete not confirmed: the upstream still lists "k-1" 120 s later.';
    const html = render({ status: "error", error: message, message: "Deleting 3 keys" });
    expect(text(html)).toBe("Error");
    // The error wins over the progress message as the tooltip.
    expect(html).toContain(`title="Delete not confirmed: the upstream still lists &quot;k-1&quot; 120 s later."`);
  });

  test("a failed delete, create or update says what failed, not a bare Error", () => {
    expect(text(render({ status: "error", intent: "delete", error: "Internal error" }))).toBe("Delete failed");
    expect(text(render({ status: "error", intent: "create" }))).toBe("Create failed");
    expect(text(render({ status: "error", intent: "update" }))).toBe("Update failed");
    expect(text(render({ status: "deleting", intent: "delete" }))).toBe("Deleting");
  });

  test("control and bidi characters in the reason are escaped in the title", () => {
    expect(render({ status: "error", intent: "delete", error: 'Internal error deleting "abc\u202Edef"' })).toContain(
      'title="Internal error deleting &quot;abc\\u202Edef&quot;"',
    );
  });

  test("without an error the message is the title; with neither there is no title", () => {
    expect(render({ status: "processing", message: "Batch 2 of 3" })).toContain('title="Batch 2 of 3"');
    expect(render({ status: "creating" })).not.toContain("title=");
  });

  test("retry counts render as 'try n/m' (1-based, first try included)", () => {
    const html = render({ status: "retrying", retryCount: 1, maxRetries: 3 });
    expect(text(html)).toContain("try 2/4");
    expect(text(html)).toMatch(/^Retrying/);
  });

  test("no retry budget: no 'try' text, even at retryCount 0", () => {
    expect(text(render({ status: "deleting", retryCount: 0, maxRetries: 0 }))).not.toContain("try");
  });

  test("the stage is shown after the label", () => {
    expect(text(render({ status: "processing", stage: "listing" }))).toBe("Processing· listing");
  });

  test("each status has its own label", () => {
    const labels = {
      deleting: "Deleting",
      creating: "Creating",
      updating: "Updating",
      processing: "Processing",
      retrying: "Retrying",
      error: "Error",
    } as const;
    for (const [status, label] of Object.entries(labels)) {
      expect(text(render({ status: status as Meta["status"] }))).toBe(label);
    }
  });
});
