CREATE TABLE "conflicts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"sku" text,
	"kind" text NOT NULL,
	"inputs" jsonb NOT NULL,
	"resolution" text NOT NULL,
	"correlation_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"damaged" integer DEFAULT 0 NOT NULL,
	"quarantine" integer DEFAULT 0 NOT NULL,
	"base_count_hlc" text COLLATE "C",
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_store_id_sku_pk" PRIMARY KEY("store_id","sku")
);
--> statement-breakpoint
CREATE TABLE "inventory_counts" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"hlc" text COLLATE "C" NOT NULL,
	"source_id" text NOT NULL,
	"counted_qty" integer NOT NULL,
	"expected" integer NOT NULL,
	"variance" integer NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_counts_store_id_source_id_sku_pk" PRIMARY KEY("store_id","source_id","sku")
);
--> statement-breakpoint
CREATE TABLE "inventory_movements" (
	"store_id" text NOT NULL,
	"sku" text NOT NULL,
	"hlc" text COLLATE "C" NOT NULL,
	"source_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"qty" integer NOT NULL,
	"bucket" text NOT NULL,
	CONSTRAINT "inventory_movements_store_id_sku_hlc_source_id_line_no_pk" PRIMARY KEY("store_id","sku","hlc","source_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"store_id" text NOT NULL,
	"receipt_id" text NOT NULL,
	"hlc" text COLLATE "C" NOT NULL,
	"lines" jsonb NOT NULL,
	"command_seq" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipts_store_id_receipt_id_pk" PRIMARY KEY("store_id","receipt_id")
);
--> statement-breakpoint
CREATE TABLE "return_links" (
	"store_id" text NOT NULL,
	"return_event_id" uuid NOT NULL,
	"original_transaction_id" text NOT NULL,
	"sale_event_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"linked_at" timestamp with time zone,
	CONSTRAINT "return_links_store_id_return_event_id_pk" PRIMARY KEY("store_id","return_event_id")
);
--> statement-breakpoint
CREATE TABLE "socket_io_attachments" (
	"id" bigserial NOT NULL,
	"created_at" timestamp with time zone DEFAULT now(),
	"payload" "bytea",
	CONSTRAINT "socket_io_attachments_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE INDEX "conflicts_store_id_idx" ON "conflicts" USING btree ("store_id","id");--> statement-breakpoint
CREATE INDEX "conflicts_kind_id_idx" ON "conflicts" USING btree ("kind","id");--> statement-breakpoint
CREATE UNIQUE INDEX "conflicts_unknown_sku_once" ON "conflicts" USING btree ("store_id","sku") WHERE kind = 'unknown_sku';--> statement-breakpoint
CREATE INDEX "inventory_counts_sku_hlc_idx" ON "inventory_counts" USING btree ("store_id","sku","hlc");--> statement-breakpoint
CREATE INDEX "return_links_unlinked_idx" ON "return_links" USING btree ("store_id","original_transaction_id") WHERE sale_event_id IS NULL;--> statement-breakpoint
CREATE INDEX "events_sale_tx_idx" ON "events" USING btree ("store_id",(payload->>'transactionId')) WHERE type = 'sale.completed';