// import: an uploaded NDJSON or wrangler bulk JSON file into the job's namespace. Three steps:
//   validate  the whole file, before anything is written: JSON, key names, value size, base64,
//             metadata ≤ 1024 B, expirations ≥ 60 s ahead, duplicate keys. Any problem refuses
//             the file, with every problem's line in the error report.
//   existing  (collision policy skip or fail) lists the namespace and notes which of the file's
//             keys already exist; `fail` refuses the import if any does.
//   write     bulk writes in file order, 10,000 keys or ~100 MB a request.
// The file's keys and the existing ones are kept in job_keys, not in memory.
import fs from "node:fs";
import { BULK_MAX_KEYS } from "~/kv/limits";
import type { BulkWriteItem } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { JobFailure } from "../context.server";
import { type FileFormat, type FileItem, FileFormatError, fileCursor, parseFileCursor, readFileItems, uploadPath } from "../files.server";
import { checkImportItem, type ImportItem } from "../import-items";
import { type ImportPayload, importPayload } from "../payloads";
import { type SourcePage, runPipeline } from "../pipeline.server";
import type { KeyError } from "../store.server";
import { JobInputError, defineKind, existingKeysStep } from "./kind.server";

/** Items a source page holds (one checkpoint cursor per page). */
const FILE_PAGE = 1000;
/** Problems listed in the error report; all are counted. */
const MAX_REPORTED = 1000;
const KEY_CHUNK = 5000;
/** Values a batch holds in memory (several batches run at once); a request may carry up to 100 MB. */
const WRITE_BATCH_BYTES = 32 * 1024 * 1024;

export const importKind = defineKind<ImportPayload>({
  kind: "import",
  payload: importPayload,
  destructive: true,
  bulkRequests: (matched) => Math.ceil(matched / BULK_MAX_KEYS),

  async prepare({ deps, payload }) {
    if (!fs.existsSync(uploadPath(deps.dataDir, payload.uploadId))) throw new JobInputError("The uploaded file is gone; upload it again.");
  },

  async run(ctx) {
    const { uploadId, format, onCollision } = ctx.payload;
    const { store } = ctx.deps;
    const namespaceId = ctx.row.namespaceId;
    const file = uploadPath(ctx.deps.dataDir, uploadId);
    if (!fs.existsSync(file)) throw new JobFailure("The uploaded file is gone; upload it again.");

    // Validation reads only the local file: after an interruption it starts over.
    await ctx.step("validate", async () => {
      await store.errors.clear(ctx.id);
      await store.keys.clear(ctx.id, "file");
      const report: (KeyError & { line: number })[] = [];
      let problems = 0;
      let items = 0;
      const note = (line: number, error: string, key?: string) => {
        problems++;
        if (report.length < MAX_REPORTED) report.push({ key: key ?? "", error: `line ${line}: ${error}`, line });
      };
      let keys: { key: string; line: number }[] = [];
      const flush = async () => {
        for (const d of await store.keys.addFileKeys(ctx.id, keys)) {
          items--;
          note(d.line, `duplicate key (first at line ${d.firstLine})`, d.key);
        }
        keys = [];
      };
      const now = nowSeconds();
      try {
        for await (const item of readFileItems(file, format, { offset: 0, line: 1 })) {
          ctx.throwIfStopped();
          ctx.noteScanned([item.line], byNumber, false);
          if (item.syntaxError) {
            note(item.line, item.syntaxError);
            continue;
          }
          const checked = checkImportItem(item.value, now);
          if ("error" in checked) {
            note(item.line, checked.error, checked.key);
            continue;
          }
          items++;
          keys.push({ key: checked.item.key, line: item.line });
          if (keys.length >= KEY_CHUNK) await flush();
        }
        await flush();
      } catch (error) {
        if (!(error instanceof FileFormatError)) throw error;
        note(error.line, error.message.replace(/^line \d+: /, ""));
      }
      if (problems > 0) {
        // Duplicates are found a chunk of keys later than the lines around them.
        report.sort((a, b) => a.line - b.line);
        ctx.recordErrors(report.map(({ key, error }) => ({ key, error })));
        throw new JobFailure(
          `The file was refused, nothing was written: ${problems} problem${problems === 1 ? "" : "s"}, the first at ${report[0].error}`,
        );
      }
      ctx.data.items = items;
      ctx.totalEstimate = items;
    });
    ctx.totalEstimate = (ctx.data.items as number | undefined) ?? ctx.totalEstimate;

    if (onCollision !== "overwrite") {
      await ctx.step("existing", async (resume) => {
        await runPipeline(ctx, existingKeysStep(ctx, ctx.upstream, namespaceId, "file"), resume);
        ctx.data.collisions = await store.keys.count(ctx.id, "existing");
      });
      const collisions = (ctx.data.collisions as number) ?? 0;
      if (onCollision === "fail" && collisions > 0) {
        const existing = await store.keys.page(ctx.id, "existing", null, MAX_REPORTED);
        ctx.recordErrors(existing.map((k) => ({ key: k.key, error: "already exists in the namespace" })));
        throw new JobFailure(
          `${collisions} of the file's keys already exist in the namespace and the collision policy is "fail": nothing was written.`,
        );
      }
    }

    await ctx.step("write", (resume) =>
      runPipeline<FileItem, number>(
        ctx,
        {
          source: (start) => filePages(file, format, start),
          position: (item) => item.offset,
          compare: (a, b) => a - b,
          keyOf: (item) => (item.value as { key: string }).key,
          // Validation counted every item of the file.
          scannedBefore: true,
          batch: { maxItems: BULK_MAX_KEYS, maxBytes: WRITE_BATCH_BYTES, sizeOf: itemBytes },
          async process(items) {
            const now = nowSeconds();
            const failed: KeyError[] = [];
            let writes: BulkWriteItem[] = [];
            for (const item of items) {
              // Validated already; only time can have changed (an expiration now too close).
              const checked = checkImportItem(item.value, now);
              if ("error" in checked) failed.push({ key: checked.key ?? "", error: `line ${item.line}: ${checked.error}` });
              else writes.push(toBulkItem(checked.item));
            }
            let skipped = 0;
            if (onCollision === "skip") {
              const existing = await store.keys.keysIn(
                ctx.id,
                "existing",
                writes.map((w) => w.key),
              );
              skipped = existing.size;
              if (skipped) writes = writes.filter((w) => !existing.has(w.key));
            }
            const outcome = await ctx.ops.writeItems(ctx.upstream, namespaceId, writes);
            return { succeeded: outcome.succeeded, skipped, failed: [...failed, ...outcome.failed] };
          },
        },
        resume,
      ),
    );
    if (!ctx.dryRun) ctx.result = { items: ctx.data.items, collisions: ctx.data.collisions ?? null };
  },

  async cleanup(deps, job, end) {
    if (end !== "succeeded" && end !== "cancelled") return;
    await deps.store.keys.clear(job.id);
    // A dry run's upload is kept for the real import that usually follows it.
    if (!job.dryRun) await fs.promises.rm(uploadPath(deps.dataDir, (job.payload as ImportPayload).uploadId), { force: true });
  },
});

/** The import file in pages of FILE_PAGE items; a page's cursor is its first item's offset and line. */
async function* filePages(file: string, format: FileFormat, start: string | null): AsyncGenerator<SourcePage<FileItem>> {
  let cursor = start;
  let page: FileItem[] = [];
  for await (const item of readFileItems(file, format, parseFileCursor(start))) {
    if (page.length === FILE_PAGE) {
      const next = fileCursor(item.offset, item.line);
      yield { cursor, next, items: page };
      page = [];
      cursor = next;
    }
    page.push(item);
  }
  yield { cursor, next: null, items: page };
}

const byNumber = (a: number, b: number) => a - b;

function itemBytes(item: FileItem): number {
  const value = (item.value as { value?: unknown }).value;
  return (typeof value === "string" ? value.length * 2 : 0) + 1024;
}

function toBulkItem(item: ImportItem): BulkWriteItem {
  const out: BulkWriteItem = { key: item.key, value: item.value };
  if (item.base64) out.base64 = true;
  if (item.metadata !== undefined) out.metadata = item.metadata;
  if (item.expirationTtl !== undefined) out.expirationTtl = item.expirationTtl;
  else if (item.expiration !== undefined) out.expiration = item.expiration;
  return out;
}
