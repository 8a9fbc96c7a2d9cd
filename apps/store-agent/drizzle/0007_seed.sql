ALTER TABLE `sync_state` ADD `seed_wanted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `seeded_at_seq` integer;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `seeded_at` text;