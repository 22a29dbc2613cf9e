ALTER TABLE "tickets" ADD COLUMN "status" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "event_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "starts_at" timestamp (3) with time zone;--> statement-breakpoint
-- Tickets replicated before listings had a status take the one their order implies: sold when that
-- order is complete, reserved while one holds them, else available. They have no event (null).
UPDATE "tickets" SET "status" = CASE
  WHEN "order_id" IS NULL THEN 'available'
  WHEN EXISTS (SELECT 1 FROM "orders" WHERE "orders"."id" = "tickets"."order_id" AND "orders"."status" = 'complete') THEN 'sold'
  ELSE 'reserved'
END;--> statement-breakpoint
ALTER TABLE "tickets" ALTER COLUMN "status" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_status_check" CHECK ("tickets"."status" in ('available', 'reserved', 'sold', 'unlisted', 'closed'));
