ALTER TABLE "tickets" ADD COLUMN "held_title" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "held_price" integer;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "held_currency" char(3);--> statement-breakpoint
-- Tickets held before the terms were kept: a held ticket cannot be edited, so its own terms are the best record.
UPDATE "tickets" SET "held_title" = "title", "held_price" = "price", "held_currency" = "currency" WHERE "order_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_held_terms" CHECK (("tickets"."order_id" is null) = ("tickets"."held_title" is null) and ("tickets"."order_id" is null) = ("tickets"."held_price" is null) and ("tickets"."order_id" is null) = ("tickets"."held_currency" is null));