ALTER TABLE "devices" ADD COLUMN "next_token_hash" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "token_issued_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "rotate_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_next_token_hash_unique" UNIQUE("next_token_hash");--> statement-breakpoint
-- A token issued before this migration is as old as its device.
UPDATE "devices" SET "token_issued_at" = "created_at";