CREATE TABLE "catalog_figures" (
	"catalog_id" integer NOT NULL,
	"subject" text NOT NULL,
	"delimiter" text NOT NULL,
	"version" text NOT NULL,
	"body" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "catalog_figures_catalog_id_subject_delimiter_pk" PRIMARY KEY("catalog_id","subject","delimiter"),
	CONSTRAINT "catalog_figures_subject_check" CHECK ("catalog_figures"."subject" in ('overview', 'tree'))
);
--> statement-breakpoint
ALTER TABLE "catalog_figures" ADD CONSTRAINT "catalog_figures_catalog_id_catalogs_id_fk" FOREIGN KEY ("catalog_id") REFERENCES "public"."catalogs"("id") ON DELETE cascade ON UPDATE no action;