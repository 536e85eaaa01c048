CREATE TABLE "overlay_rules" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "overlay_rules_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"scope" text NOT NULL,
	"op_id" text NOT NULL,
	"rule" jsonb NOT NULL,
	"status" text NOT NULL,
	"progress" double precision,
	"message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "overlays" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "overlays_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"scope" text NOT NULL,
	"resource_id" text COLLATE "C" NOT NULL,
	"op_id" text NOT NULL,
	"intent" text NOT NULL,
	"status" text NOT NULL,
	"data" jsonb,
	"expected" jsonb,
	"progress" double precision,
	"stage" text,
	"message" text,
	"error" text,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"max_retries" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "overlay_rules_scope" ON "overlay_rules" USING btree ("scope");--> statement-breakpoint
CREATE INDEX "overlay_rules_op" ON "overlay_rules" USING btree ("op_id");--> statement-breakpoint
CREATE UNIQUE INDEX "overlays_scope_resource" ON "overlays" USING btree ("scope","resource_id");--> statement-breakpoint
CREATE INDEX "overlays_op" ON "overlays" USING btree ("op_id");