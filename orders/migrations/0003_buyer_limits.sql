CREATE TABLE "order_attempts" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"reset_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "orders_user_id_awaiting_payment_idx" ON "orders" USING btree ("user_id") WHERE status = 'awaiting_payment';--> statement-breakpoint
CREATE INDEX "orders_ticket_id_user_id_idx" ON "orders" USING btree ("ticket_id","user_id");