CREATE TABLE "erp_day_pending" (
	"store_id" text NOT NULL,
	"business_date" text NOT NULL,
	"event_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "erp_day_pending_store_id_business_date_event_id_pk" PRIMARY KEY("store_id","business_date","event_id")
);
--> statement-breakpoint
CREATE TABLE "erp_ledger_entries" (
	"id" bigserial NOT NULL,
	"posting_id" uuid NOT NULL,
	"store_id" text NOT NULL,
	"business_date" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text,
	"correlation_id" text NOT NULL,
	"description" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "erp_ledger_entries_store_id_id_pk" PRIMARY KEY("store_id","id")
);
--> statement-breakpoint
CREATE TABLE "erp_ledger_lines" (
	"store_id" text NOT NULL,
	"entry_id" bigint NOT NULL,
	"line_no" integer NOT NULL,
	"account" text NOT NULL,
	"debit" bigint DEFAULT 0 NOT NULL,
	"credit" bigint DEFAULT 0 NOT NULL,
	"memo" text,
	CONSTRAINT "erp_ledger_lines_store_id_entry_id_line_no_pk" PRIMARY KEY("store_id","entry_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "erp_ledger_stock_moves" (
	"entry_id" bigint NOT NULL,
	"line_no" integer NOT NULL,
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"qty" integer NOT NULL,
	"from_location" text NOT NULL,
	"to_location" text NOT NULL,
	CONSTRAINT "erp_ledger_stock_moves_store_id_entry_id_line_no_pk" PRIMARY KEY("store_id","entry_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "erp_posting_events" (
	"store_id" text NOT NULL,
	"event_id" uuid NOT NULL,
	"posting_id" uuid NOT NULL,
	CONSTRAINT "erp_posting_events_store_id_event_id_pk" PRIMARY KEY("store_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "erp_postings" (
	"posting_id" uuid NOT NULL,
	"seq" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"kind" text NOT NULL,
	"business_date" text NOT NULL,
	"correlation_id" text NOT NULL,
	"source_event_id" uuid,
	"document" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"error_details" jsonb,
	"erp_ref" text,
	"connector" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"posted_at" timestamp with time zone,
	CONSTRAINT "erp_postings_store_id_posting_id_pk" PRIMARY KEY("store_id","posting_id")
);
--> statement-breakpoint
CREATE TABLE "erp_store_leases" (
	"store_id" text PRIMARY KEY NOT NULL,
	"owner" text,
	"leased_until" timestamp with time zone DEFAULT 'epoch'::timestamptz NOT NULL
);
--> statement-breakpoint
CREATE TABLE "erp_store_settings" (
	"store_id" text PRIMARY KEY NOT NULL,
	"posting_mode" text DEFAULT 'per_sale' NOT NULL,
	"summary_cutoff" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "erp_ledger_entries_store_posting_idx" ON "erp_ledger_entries" USING btree ("store_id","posting_id");--> statement-breakpoint
CREATE INDEX "erp_ledger_entries_posting_idx" ON "erp_ledger_entries" USING btree ("posting_id");--> statement-breakpoint
CREATE INDEX "erp_ledger_entries_id_idx" ON "erp_ledger_entries" USING btree ("id");--> statement-breakpoint
CREATE INDEX "erp_ledger_entries_store_day_idx" ON "erp_ledger_entries" USING btree ("store_id","business_date","id");--> statement-breakpoint
CREATE INDEX "erp_ledger_stock_moves_store_sku_idx" ON "erp_ledger_stock_moves" USING btree ("store_id","sku");--> statement-breakpoint
CREATE INDEX "erp_posting_events_posting_idx" ON "erp_posting_events" USING btree ("store_id","posting_id");--> statement-breakpoint
CREATE INDEX "erp_postings_posting_idx" ON "erp_postings" USING btree ("posting_id");--> statement-breakpoint
CREATE INDEX "erp_postings_seq_idx" ON "erp_postings" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "erp_postings_source_idx" ON "erp_postings" USING btree ("store_id","source_event_id") WHERE source_event_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "erp_postings_store_open_idx" ON "erp_postings" USING btree ("store_id","seq") WHERE status IN ('pending', 'retrying');--> statement-breakpoint
CREATE INDEX "erp_postings_status_seq_idx" ON "erp_postings" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "erp_postings_store_day_idx" ON "erp_postings" USING btree ("store_id","business_date");