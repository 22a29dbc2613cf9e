ALTER TABLE "payments" ADD COLUMN "stripe_charge_id" text;--> statement-breakpoint
CREATE INDEX "payments_updated_idx" ON "payments" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "sales_updated_idx" ON "sales" USING btree ("updated_at");