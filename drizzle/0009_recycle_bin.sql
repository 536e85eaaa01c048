CREATE TABLE "deleted_keys" (
	"deletion_id" text NOT NULL,
	"key" text COLLATE "C" NOT NULL,
	"value" "bytea" NOT NULL,
	"metadata" text,
	"expiration" bigint,
	"size" integer NOT NULL,
	CONSTRAINT "deleted_keys_deletion_id_key_pk" PRIMARY KEY("deletion_id","key")
);
--> statement-breakpoint
CREATE TABLE "deletions" (
	"id" text PRIMARY KEY NOT NULL,
	"connection_id" integer NOT NULL,
	"namespace_id" text NOT NULL,
	"operation" text NOT NULL,
	"description" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"keys" bigint DEFAULT 0 NOT NULL,
	"restored_keys" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "deletions_operation_check" CHECK ("deletions"."operation" in ('delete', 'delete-selected', 'purge', 'move'))
);
--> statement-breakpoint
CREATE TABLE "recycle_settings" (
	"connection_id" integer PRIMARY KEY NOT NULL,
	"copy_by_default" boolean NOT NULL,
	"retention_days" integer NOT NULL,
	"cap_bytes" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobs" DROP CONSTRAINT "jobs_kind_check";--> statement-breakpoint
ALTER TABLE "deleted_keys" ADD CONSTRAINT "deleted_keys_deletion_id_deletions_id_fk" FOREIGN KEY ("deletion_id") REFERENCES "public"."deletions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deletions" ADD CONSTRAINT "deletions_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recycle_settings" ADD CONSTRAINT "recycle_settings_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deletions_namespace_created" ON "deletions" USING btree ("connection_id","namespace_id","created_at");--> statement-breakpoint
CREATE INDEX "deletions_expires" ON "deletions" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_kind_check" CHECK ("jobs"."kind" in ('delete-selected', 'purge', 'export', 'import', 'copy', 'move', 'bulk-expiry', 'index', 'restore'));