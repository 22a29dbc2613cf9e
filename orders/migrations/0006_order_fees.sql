ALTER TABLE "orders" ADD COLUMN "fee" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "fee" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "total" bigint;--> statement-breakpoint
UPDATE "orders" SET "total" = "price";--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "total" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_fee_nonnegative" CHECK ("orders"."fee" >= 0);--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_total_is_price_plus_fee" CHECK ("orders"."total" = "orders"."price" + "orders"."fee");
