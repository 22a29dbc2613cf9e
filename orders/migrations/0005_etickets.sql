CREATE TABLE "etickets" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"document" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_status_check";--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_cancel_reason_check";--> statement-breakpoint
DROP INDEX "orders_ticket_id_live_unique";--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "section" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "row" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "seat" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "buyer_email" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "event_name" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "venue" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "city" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "country" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "timezone" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "section" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "row" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "seat" text;--> statement-breakpoint
ALTER TABLE "etickets" ADD CONSTRAINT "etickets_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_ticket_id_live_unique" ON "orders" USING btree ("ticket_id") WHERE status in ('awaiting_payment', 'complete');--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_status_check" CHECK ("orders"."status" in ('awaiting_payment', 'cancelled', 'complete', 'refunded'));--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_cancel_reason_check" CHECK ((case "orders"."status" when 'cancelled' then "orders"."cancel_reason" is not null when 'refunded' then true else "orders"."cancel_reason" is null end) and ("orders"."cancel_reason" is null or "orders"."cancel_reason" in ('expired', 'buyer')));