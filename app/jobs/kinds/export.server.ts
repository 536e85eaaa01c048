// export: a namespace, or a rule's matches, to an NDJSON file or a wrangler bulk JSON array, with
// or without values (read 100 keys a request; values that are not UTF-8 as base64). The file is
// appended strictly in key order and its length is checkpointed with every batch, so a resumed
// export first cuts off whatever was written after the last checkpoint.
import fs from "node:fs";
import path from "node:path";
import { BULK_GET_MAX_KEYS, LIST_LIMIT_MAX } from "~/kv/limits";
import type { KeyInfo } from "~/kv/upstream.server";
import { JobFailure } from "../context.server";
import { type ExportFileState, ExportWriter, exportLine, exportPath } from "../files.server";
import { runPipeline } from "../pipeline.server";
import { type ExportPayload, exportPayload } from "../payloads";
import type { ExportResult } from "../types";
import { defineKind, listing } from "./kind.server";

export const exportKind = defineKind<ExportPayload>({
  kind: "export",
  payload: exportPayload,
  destructive: false,
  bulkRequests: (matched, payload) => (payload.values ? Math.ceil(matched / BULK_GET_MAX_KEYS) : 0),

  async run(ctx) {
    const { rule, format, values } = ctx.payload;
    const namespaceId = ctx.row.namespaceId;
    const file = exportPath(ctx.deps.dataDir, ctx.id, format);
    await ctx.step("export", async (resume) => {
      const spec = {
        ...listing(ctx, ctx.upstream, namespaceId, rule),
        batch: { maxItems: values ? BULK_GET_MAX_KEYS : LIST_LIMIT_MAX },
        async process(keys: KeyInfo[]) {
          if (!values) return { succeeded: keys.length, skipped: 0, failed: [], output: keys.map((k) => exportLine(k.name, null, k)) };
          const read = await ctx.ops.readValues(
            ctx.upstream,
            namespaceId,
            keys.map((k) => k.name),
          );
          const lines: string[] = [];
          for (const key of keys) {
            const value = read.get(key.name);
            // Gone between the listing and the read: nothing to export.
            if (value) lines.push(exportLine(key.name, value, key));
          }
          return { succeeded: lines.length, skipped: keys.length - lines.length, failed: [], output: lines };
        },
      };
      if (ctx.dryRun) {
        await runPipeline(ctx, spec, resume);
        return;
      }
      const prior = (resume?.state as ExportFileState | null) ?? null;
      if (prior && !fs.existsSync(file)) throw new JobFailure("The partly written export file is gone; start the export again.");
      const opened = await ExportWriter.open(file, format, prior);
      try {
        const final = await runPipeline<KeyInfo, string, ExportFileState>(
          ctx,
          {
            ...spec,
            initialState: opened.state,
            commit: (_keys, outcome, state) => opened.writer.append(outcome.output as string[], state),
          },
          resume ?? { checkpoint: null, state: opened.state },
        );
        const bytes = await opened.writer.finish(final);
        ctx.result = { file: path.basename(file), bytes, format, keys: final.items } satisfies ExportResult;
      } finally {
        await opened.writer.close();
      }
    });
    ctx.totalEstimate = ctx.counters.matched;
  },

  async cleanup(deps, job, end) {
    if (end !== "cancelled" || job.dryRun) return;
    const format = (job.payload as ExportPayload).format ?? "ndjson";
    await fs.promises.rm(exportPath(deps.dataDir, job.id, format), { force: true });
  },
});
