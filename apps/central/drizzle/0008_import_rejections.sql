CREATE TABLE "import_rejections" (
	"store_id" text NOT NULL,
	"device_id" uuid NOT NULL,
	"file" text NOT NULL,
	"line" integer,
	"reason" text NOT NULL,
	"rejected_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone,
	CONSTRAINT "import_rejections_store_id_device_id_file_rejected_at_pk" PRIMARY KEY("store_id","device_id","file","rejected_at")
);
--> statement-breakpoint
CREATE INDEX "import_rejections_open_idx" ON "import_rejections" USING btree ("store_id") WHERE cleared_at IS NULL;