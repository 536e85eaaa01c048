CREATE TABLE "job_inflight" (
	"job_id" text NOT NULL,
	"batch" integer NOT NULL,
	"keys" jsonb NOT NULL,
	CONSTRAINT "job_inflight_job_id_batch_pk" PRIMARY KEY("job_id","batch")
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "pause_requested" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "job_inflight" ADD CONSTRAINT "job_inflight_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- A pause request moves out of the checkpoint JSON into its own column.
UPDATE "jobs" SET "pause_requested" = coalesce(("checkpoint" -> 'pauseRequested') = 'true'::jsonb, false), "checkpoint" = "checkpoint" - 'pauseRequested'
  WHERE jsonb_typeof("checkpoint") = 'object' AND ("checkpoint" -> 'pauseRequested') IS NOT NULL;--> statement-breakpoint
-- The write-ahead moves out of job_keys (set 'inflight', rows "<batch>.<n>\n<JSON array of keys>",
-- the batch id in "line") into job_inflight, one row per batch with its keys in order. The old JSON
-- holds the names as they are; job_inflight holds them escaped as ~/db/key-text does (U+0001 as
-- U+0001 U+0002, then U+0000 as U+0001 U+0001), which jsonb can store. The JSON text is escaped
-- before it is parsed: escaped backslashes are set aside first (chr(1), which JSON.stringify never
-- writes raw), so a name's literal "\u0000" is not mistaken for a NUL.
INSERT INTO "job_inflight" ("job_id", "batch", "keys")
  SELECT "job_id", "line", jsonb_agg("e"."k" ORDER BY "old"."part", "e"."n")
  FROM (
    SELECT "job_id", "line",
      split_part(split_part("key", chr(10), 1), '.', 2)::int AS "part",
      replace(replace(replace(replace(substr("key", strpos("key", chr(10)) + 1), '\\', chr(1)), '\u0001', '\u0001\u0002'), '\u0000', '\u0001\u0001'), chr(1), '\\')::jsonb AS "chunk"
    FROM "job_keys" WHERE "set" = 'inflight' AND "line" IS NOT NULL
  ) AS "old", jsonb_array_elements("old"."chunk") WITH ORDINALITY AS "e"("k", "n")
  GROUP BY "job_id", "line";--> statement-breakpoint
DELETE FROM "job_keys" WHERE "set" = 'inflight';--> statement-breakpoint
ALTER TABLE "job_keys" ADD CONSTRAINT "job_keys_set_check" CHECK ("job_keys"."set" in ('selected', 'file', 'existing'));--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_kind_check" CHECK ("jobs"."kind" in ('delete-selected', 'purge', 'export', 'import', 'copy', 'move', 'bulk-expiry'));--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" in ('queued', 'running', 'paused', 'cancelling', 'cancelled', 'succeeded', 'failed'));