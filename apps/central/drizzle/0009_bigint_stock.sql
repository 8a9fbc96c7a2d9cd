ALTER TABLE "erp_ledger_stock_moves" ALTER COLUMN "qty" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "inventory" ALTER COLUMN "on_hand" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "inventory" ALTER COLUMN "damaged" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "inventory" ALTER COLUMN "quarantine" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "inventory" ALTER COLUMN "reserved" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "inventory_counts" ALTER COLUMN "expected" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "inventory_counts" ALTER COLUMN "variance" SET DATA TYPE bigint;