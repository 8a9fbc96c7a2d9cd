CREATE TABLE `tasks` (
	`task_id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`reservation_id` text NOT NULL,
	`lines` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`done_at` text
);
--> statement-breakpoint
ALTER TABLE `reservations` ADD `correlation_id` text;--> statement-breakpoint
ALTER TABLE `reservations` ADD `created_at` text;--> statement-breakpoint
ALTER TABLE `reservations` ADD `close_reason` text;--> statement-breakpoint
CREATE INDEX `reservations_status_idx` ON `reservations` (`status`);