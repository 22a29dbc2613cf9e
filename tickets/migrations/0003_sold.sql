CREATE TABLE "completed_orders" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"completed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sold_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_sold_has_order" CHECK ("tickets"."sold_at" is null or "tickets"."order_id" is not null);