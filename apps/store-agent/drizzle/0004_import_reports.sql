CREATE TABLE `import_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`file` text NOT NULL,
	`line` integer,
	`reason` text NOT NULL,
	`rejected_at` text NOT NULL,
	`reported_at` text
);
