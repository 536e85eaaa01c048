import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { ToastCard } from "./toaster";

const render = (toast: Parameters<typeof ToastCard>[0]["toast"]) => renderToStaticMarkup(<ToastCard toast={toast} onDismiss={() => {}} />);

test("a success is a status, a failure an alert, each with its dismiss button", () => {
  expect(render({ variant: "success", title: "Deleted 6 keys" })).toMatch(
    /^<div role="status"[^>]*>.*Deleted 6 keys.*aria-label="Dismiss notification"/,
  );
  expect(render({ variant: "error", title: "Deleted 4 of 5 keys; 1 failed" })).toMatch(/^<div role="alert"/);
  expect(render({ title: "Export started" })).toMatch(/^<div role="status"/);
});

test("a failure lists at most 20 of its failed items, escaped, and says how many more", () => {
  const details = Array.from({ length: 23 }, (_, i) => ({ label: `key-${i}\u0000`, detail: "<b>refused</b>" }));
  const html = render({ variant: "error", title: "Deleted 0 of 23 keys; 23 failed", details });
  expect(html.match(/refused/g)).toHaveLength(20);
  expect(html).toContain("and 3 more");
  expect(html).not.toContain("<b>");
  expect(html).not.toContain("\u0000");
});
