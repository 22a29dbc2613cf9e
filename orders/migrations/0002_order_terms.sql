ALTER TABLE "orders" ADD COLUMN "title" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "price" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "currency" text;--> statement-breakpoint
-- Orders placed before their terms were kept take them from the replica, the best record there is.
UPDATE "orders" SET "title" = "tickets"."title", "price" = "tickets"."price", "currency" = "tickets"."currency" FROM "tickets" WHERE "tickets"."id" = "orders"."ticket_id";--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "title" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "price" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "currency" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_price_nonnegative" CHECK ("orders"."price" >= 0);
