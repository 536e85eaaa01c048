-- Idempotent on purpose (IF NOT EXISTS, duplicate_object ignored): the app's own first migration
-- (drizzle/0000_init.sql at the repository root) created these same tables before this package had
-- migrations of its own, so on a database the app already migrated this is a no-op, and on a fresh
-- one it creates them. See docs/decisions/011-local-kv-package.md. Later migrations need not be.
CREATE TABLE IF NOT EXISTS "local_kv_entries" (
	"namespace_id" text NOT NULL,
	"key" text COLLATE "C" NOT NULL,
	"value" "bytea" NOT NULL,
	"metadata" text,
	"expiration" bigint,
	CONSTRAINT "local_kv_entries_namespace_id_key_pk" PRIMARY KEY("namespace_id","key")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "local_kv_namespaces" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"title" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "local_kv_pending" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "local_kv_pending_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"namespace_id" text NOT NULL,
	"key" text COLLATE "C" NOT NULL,
	"value" "bytea",
	"metadata" text,
	"expiration" bigint,
	"visible_at" bigint NOT NULL
);
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "local_kv_entries" ADD CONSTRAINT "local_kv_entries_namespace_id_local_kv_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."local_kv_namespaces"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "local_kv_pending" ADD CONSTRAINT "local_kv_pending_namespace_id_local_kv_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."local_kv_namespaces"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "local_kv_entries_expiration" ON "local_kv_entries" USING btree ("expiration") WHERE expiration is not null;--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "local_kv_namespaces_account_title" ON "local_kv_namespaces" USING btree ("account_id","title");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "local_kv_pending_visible_at" ON "local_kv_pending" USING btree ("visible_at");