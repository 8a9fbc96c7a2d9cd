-- Events partitioned by month (issue 15). Hand-written (drizzle-kit generate --custom): drizzle cannot declare
-- partitioning. The partition key event_month is the UTC month of the UUIDv7 timestamp inside event_id, a
-- function of the id alone (outpost_event_month), so a resent event always lands beside its first copy and the
-- primary key (store_id, event_id, event_month) is exactly as unique as (store_id, event_id) was. The argument for
-- (device, seq) is in docs/sync-identity.md. Converts the existing table in place: renamed, copied into the
-- partitioned table (positions kept), dropped; the indexes come back under their old names.

CREATE OR REPLACE FUNCTION outpost_event_month(id uuid) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN substr(id::text, 15, 1) = '7'
    THEN date_trunc('month', to_timestamp(('x' || lpad(replace(substr(id::text, 1, 13), '-', ''), 16, '0'))::bit(64)::bigint / 1000.0) AT TIME ZONE 'UTC')::date
    ELSE DATE '1970-01-01' END
$$;
--> statement-breakpoint
-- One month's partition, created if missing. Rows of that month that arrived before it existed sit in
-- events_default: they are moved into the new table before it is attached (attaching would fail otherwise).
-- Built beside and then attached, which locks the parent only SHARE UPDATE EXCLUSIVE (ingest goes on).
-- 1970-01 (ids without a timestamp) never gets a partition: those rows stay in the default partition for good.
CREATE OR REPLACE FUNCTION outpost_ensure_event_partition(m date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := format('events_%s', to_char(m, 'YYYY_MM'));
  upto date := (m + interval '1 month')::date;
BEGIN
  IF m <> date_trunc('month', m)::date THEN RAISE EXCEPTION 'not the first day of a month: %', m; END IF;
  IF m = DATE '1970-01-01' OR to_regclass(part) IS NOT NULL THEN RETURN false; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS)', part);
  EXECUTE format('WITH moved AS (DELETE FROM events_default WHERE event_month >= %L AND event_month < %L RETURNING *) INSERT INTO %I SELECT * FROM moved', m, upto, part);
  EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, m, upto);
  RETURN true;
END
$$;
--> statement-breakpoint
ALTER TABLE "events" RENAME TO "events_unpartitioned";
--> statement-breakpoint
ALTER TABLE "events_unpartitioned" RENAME CONSTRAINT "events_store_id_event_id_pk" TO "events_unpartitioned_pk";
--> statement-breakpoint
ALTER TABLE "events_unpartitioned" RENAME CONSTRAINT "events_store_device_seq_uq" TO "events_unpartitioned_seq_uq";
--> statement-breakpoint
DROP INDEX "events_position_idx";
--> statement-breakpoint
DROP INDEX "events_store_position_idx";
--> statement-breakpoint
DROP INDEX "events_sale_tx_idx";
--> statement-breakpoint
DROP INDEX "events_business_day_idx";
--> statement-breakpoint
DROP INDEX "events_received_at_brin";
--> statement-breakpoint
ALTER SEQUENCE "events_position_seq" OWNED BY NONE;
--> statement-breakpoint
CREATE TABLE "events" (
	"store_id" text NOT NULL,
	"event_id" uuid NOT NULL,
	"event_month" date NOT NULL,
	"device_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"position" bigint DEFAULT nextval('events_position_seq') NOT NULL,
	"type" text NOT NULL,
	"schema_version" integer NOT NULL,
	"hlc" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"correlation_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_store_id_event_id_event_month_pk" PRIMARY KEY("store_id","event_id","event_month"),
	CONSTRAINT "events_store_device_seq_uq" UNIQUE("store_id","device_id","seq","event_month")
) PARTITION BY RANGE ("event_month");
--> statement-breakpoint
ALTER SEQUENCE "events_position_seq" OWNED BY "events"."position";
--> statement-breakpoint
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;
--> statement-breakpoint
-- A partition for every month held, and for this month and the next two (central's maintenance keeps ahead).
SELECT outpost_ensure_event_partition(m) FROM (
  SELECT DISTINCT outpost_event_month(event_id) AS m FROM "events_unpartitioned"
  UNION SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => k))::date FROM generate_series(0, 2) AS k
) AS months ORDER BY m;
--> statement-breakpoint
INSERT INTO "events" (store_id, event_id, event_month, device_id, seq, position, type, schema_version, hlc, occurred_at, correlation_id, payload, received_at)
  SELECT store_id, event_id, outpost_event_month(event_id), device_id, seq, position, type, schema_version, hlc, occurred_at, correlation_id, payload, received_at
  FROM "events_unpartitioned";
--> statement-breakpoint
DROP TABLE "events_unpartitioned";
--> statement-breakpoint
CREATE INDEX "events_position_idx" ON "events" USING btree ("position");
--> statement-breakpoint
CREATE INDEX "events_store_position_idx" ON "events" USING btree ("store_id","position");
--> statement-breakpoint
CREATE INDEX "events_sale_tx_idx" ON "events" USING btree ("store_id",(payload->>'transactionId')) WHERE type = 'sale.completed';
--> statement-breakpoint
CREATE INDEX "events_business_day_idx" ON "events" USING btree ("store_id",(payload->>'businessDate')) WHERE type IN ('sale.completed', 'return.received');
--> statement-breakpoint
CREATE INDEX "events_received_at_brin" ON "events" USING brin ("received_at");
