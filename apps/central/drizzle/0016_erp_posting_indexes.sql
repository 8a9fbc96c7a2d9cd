DROP INDEX "erp_postings_status_seq_idx";--> statement-breakpoint
CREATE INDEX "erp_postings_failing_idx" ON "erp_postings" USING btree ("status","store_id") WHERE status IN ('retrying', 'dead');