CREATE TABLE `stock` (
	`sku` text PRIMARY KEY NOT NULL,
	`on_hand` integer DEFAULT 0 NOT NULL,
	`damaged` integer DEFAULT 0 NOT NULL,
	`quarantine` integer DEFAULT 0 NOT NULL,
	`base_count_hlc` text,
	`base_count_source` text
);
--> statement-breakpoint
CREATE TABLE `stock_facts` (
	`source_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`sku` text NOT NULL,
	`hlc` text NOT NULL,
	`kind` text NOT NULL,
	`qty` integer NOT NULL,
	`bucket` text NOT NULL,
	PRIMARY KEY(`source_id`, `line_no`)
);
--> statement-breakpoint
CREATE INDEX `stock_facts_sku_hlc_idx` ON `stock_facts` (`sku`,`hlc`);