ALTER TABLE `sync_state` ADD `clock_skew_ms` integer;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `clock_skew_at` text;