ALTER TABLE "jobs" ADD COLUMN "pages_scanned" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "running_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "average_rate" double precision;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "stalled_takeovers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "jobs_namespace_state" ON "jobs" USING btree ("connection_id","namespace_id","state");--> statement-breakpoint
-- Key names in kvdeck's own tables are stored escaped (app/db/key-text.ts): U+0000 as U+0001 U+0001,
-- U+0001 as U+0001 U+0002. Names stored before this migration that hold U+0001 are escaped now.
UPDATE "overlays" SET "resource_id" = replace("resource_id", chr(1), chr(1) || chr(2)) WHERE strpos("resource_id", chr(1)) > 0;--> statement-breakpoint
UPDATE "job_errors" SET "key" = replace("key", chr(1), chr(1) || chr(2)) WHERE strpos("key", chr(1)) > 0;--> statement-breakpoint
UPDATE "job_keys" SET "key" = replace("key", chr(1), chr(1) || chr(2)) WHERE strpos("key", chr(1)) > 0;
