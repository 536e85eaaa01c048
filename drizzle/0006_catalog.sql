CREATE TABLE "catalog_keys" (
	"catalog_id" integer NOT NULL,
	"key" text COLLATE "C" NOT NULL,
	"metadata" jsonb,
	"metadata_bytes" integer DEFAULT 0 NOT NULL,
	"expiration" bigint,
	"seen_scan" integer NOT NULL,
	"added_scan" integer NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_keys_catalog_id_key_pk" PRIMARY KEY("catalog_id","key")
);
--> statement-breakpoint
CREATE TABLE "catalog_scans" (
	"catalog_id" integer NOT NULL,
	"scan" integer NOT NULL,
	"job_id" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"keys" bigint NOT NULL,
	"added" bigint NOT NULL,
	"removed" bigint NOT NULL,
	"bytes" bigint NOT NULL,
	CONSTRAINT "catalog_scans_catalog_id_scan_pk" PRIMARY KEY("catalog_id","scan")
);
--> statement-breakpoint
CREATE TABLE "catalogs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "catalogs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"connection_id" integer NOT NULL,
	"namespace_id" text NOT NULL,
	"state" text DEFAULT 'building' NOT NULL,
	"scan" integer DEFAULT 0 NOT NULL,
	"scan_job_id" text,
	"scan_started_at" timestamp with time zone,
	"as_of" timestamp with time zone,
	"key_count" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"refresh_every_ms" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogs_state_check" CHECK ("catalogs"."state" in ('building', 'ready'))
);
--> statement-breakpoint
ALTER TABLE "job_keys" DROP CONSTRAINT "job_keys_set_check";--> statement-breakpoint
ALTER TABLE "catalog_keys" ADD CONSTRAINT "catalog_keys_catalog_id_catalogs_id_fk" FOREIGN KEY ("catalog_id") REFERENCES "public"."catalogs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_scans" ADD CONSTRAINT "catalog_scans_catalog_id_catalogs_id_fk" FOREIGN KEY ("catalog_id") REFERENCES "public"."catalogs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogs" ADD CONSTRAINT "catalogs_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_keys_expiration" ON "catalog_keys" USING btree ("catalog_id","expiration") WHERE expiration is not null;--> statement-breakpoint
CREATE INDEX "catalog_keys_metadata" ON "catalog_keys" USING gin ("metadata" jsonb_path_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "catalogs_namespace" ON "catalogs" USING btree ("connection_id","namespace_id");--> statement-breakpoint
ALTER TABLE "job_keys" ADD CONSTRAINT "job_keys_set_check" CHECK ("job_keys"."set" in ('selected', 'file', 'existing', 'planned'));