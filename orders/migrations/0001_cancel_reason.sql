ALTER TABLE "orders" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
-- Orders cancelled before the reason was kept: one cancelled at or after its expiry ran out.
UPDATE "orders" SET "cancel_reason" = CASE WHEN "updated_at" >= "expires_at" THEN 'expired' ELSE 'buyer' END WHERE "status" = 'cancelled';--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_cancel_reason_check" CHECK (("orders"."status" = 'cancelled') = ("orders"."cancel_reason" is not null) and ("orders"."cancel_reason" is null or "orders"."cancel_reason" in ('expired', 'buyer')));
