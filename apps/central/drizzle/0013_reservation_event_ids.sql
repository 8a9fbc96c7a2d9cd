ALTER TABLE "reservations" ADD COLUMN "pick_event_id" uuid;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "pickup_event_id" uuid;