CREATE TABLE "reservation_transitions" (
	"store_id" text NOT NULL,
	"reservation_id" text NOT NULL,
	"version" integer NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text,
	"correlation_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reservation_transitions_store_id_reservation_id_version_pk" PRIMARY KEY("store_id","reservation_id","version")
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" bigserial NOT NULL,
	"store_id" text NOT NULL,
	"reservation_id" text NOT NULL,
	"order_id" text NOT NULL,
	"status" text NOT NULL,
	"lines" jsonb NOT NULL,
	"allow_reroute" boolean DEFAULT false NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"command_seq" bigint NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"rerouted_from" text,
	"rerouted_to" text,
	"reroute_tried" boolean DEFAULT false NOT NULL,
	"correlation_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reservations_store_id_reservation_id_pk" PRIMARY KEY("store_id","reservation_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"reservation_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"body" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "inventory" ADD COLUMN "reserved" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_reservation_id_idx" ON "reservations" USING btree ("reservation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_id_idx" ON "reservations" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_open_order_idx" ON "reservations" USING btree ("store_id","order_id") WHERE status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked');--> statement-breakpoint
CREATE INDEX "reservations_undelivered_idx" ON "reservations" USING btree ("store_id","command_seq") WHERE status = 'requested';--> statement-breakpoint
CREATE INDEX "reservations_open_expiry_idx" ON "reservations" USING btree ("expires_at") WHERE status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked');--> statement-breakpoint
CREATE INDEX "reservations_at_risk_idx" ON "reservations" USING btree ("store_id") WHERE status = 'at_risk';--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_key_idx" ON "webhook_deliveries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at") WHERE status IN ('pending', 'retrying');--> statement-breakpoint
CREATE INDEX "webhook_deliveries_reservation_idx" ON "webhook_deliveries" USING btree ("reservation_id","id");