CREATE TABLE `applied_commands` (
	`applied_order` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`seq` integer NOT NULL,
	`command_id` text,
	`type` text NOT NULL,
	`outcome` text NOT NULL,
	`applied_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `applied_commands_seq_unique` ON `applied_commands` (`seq`);--> statement-breakpoint
CREATE TABLE `capture_keys` (
	`kind` text NOT NULL,
	`doc_id` text NOT NULL,
	`event_id` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`kind`, `doc_id`)
);
--> statement-breakpoint
CREATE TABLE `command_quarantine` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`seq` integer NOT NULL,
	`raw` text NOT NULL,
	`error` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `items` (
	`sku` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`business_date` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_event_id_unique` ON `outbox` (`event_id`);--> statement-breakpoint
CREATE INDEX `outbox_day_idx` ON `outbox` (`business_date`,`type`);--> statement-breakpoint
CREATE TABLE `received_stock` (
	`receipt_id` text PRIMARY KEY NOT NULL,
	`lines` text NOT NULL,
	`applied_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reservations` (
	`reservation_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`status` text NOT NULL,
	`lines` text NOT NULL,
	`expires_at` text,
	`created_seq` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`device_id` text NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`last_hlc` text,
	`acked_seq` integer DEFAULT 0 NOT NULL,
	`applied_command_seq` integer DEFAULT 0 NOT NULL,
	`last_sync_at` text,
	`last_error` text
);
