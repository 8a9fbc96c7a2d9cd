ALTER TABLE "devices" ADD COLUMN "protocol_version" integer;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "held_command_seq" bigint;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "held_command_type" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "held_command_version" integer;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "held_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "unsent_oldest_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "unsent_sales" integer;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "unsent_returns" integer;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "unsent_counts" integer;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "unsent_other" integer;