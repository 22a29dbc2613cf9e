-- unaccent (a trusted extension since Postgres 13) for accent-insensitive event identity and search.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
-- fold_text: lower-case, unaccented, whitespace trimmed and collapsed. unaccent() itself is only STABLE
-- (it reads its dictionary through the search_path); naming the dictionary makes this IMMUTABLE in fact,
-- so indexes, the generated search column and the unique identity of an event can use it.
CREATE OR REPLACE FUNCTION fold_text(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(btrim(regexp_replace(public.unaccent('public.unaccent'::regdictionary, value), '\s+', ' ', 'g')));--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"venue" text NOT NULL,
	"city" text NOT NULL,
	"country" char(2) NOT NULL,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"timezone" text NOT NULL,
	"category" text NOT NULL,
	"organizer_id" uuid NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, fold_text(name) || ' ' || fold_text(venue) || ' ' || fold_text(city))) STORED NOT NULL,
	CONSTRAINT "events_category_known" CHECK ("events"."category" in ('concert', 'sports', 'theatre', 'comedy', 'festival', 'other')),
	CONSTRAINT "events_country_code" CHECK ("events"."country" ~ '^[A-Z]{2}$')
);
--> statement-breakpoint
DROP INDEX "tickets_available_idx";--> statement-breakpoint
DROP INDEX "tickets_available_title_trgm_idx";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "event_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "starts_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "section" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "row" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "seat" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "status" text DEFAULT 'available' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "events_identity_unique" ON "events" USING btree (fold_text("name"),fold_text("venue"),"starts_at");--> statement-breakpoint
-- Listings from before events existed (a deployed database): each gets a backfilled event named by its
-- title, "Venue to be announced", starting 30 days after the listing was created, in UTC, category
-- "other", organized by its seller (one event per distinct title and start), so event_id can be NOT NULL.
-- Their status follows from the order holding them and whether it was paid.
INSERT INTO "events" ("name", "venue", "city", "country", "starts_at", "timezone", "category", "organizer_id", "created_at")
  SELECT DISTINCT ON (fold_text("title"), "created_at" + interval '30 days')
         "title", 'Venue to be announced', 'To be announced', 'ZZ', "created_at" + interval '30 days', 'UTC', 'other', "user_id", "created_at"
  FROM "tickets"
  ORDER BY fold_text("title"), "created_at" + interval '30 days', "created_at";--> statement-breakpoint
UPDATE "tickets" SET
    "event_id" = "events"."id",
    "starts_at" = "events"."starts_at",
    "status" = CASE WHEN "tickets"."sold_at" IS NOT NULL THEN 'sold' WHEN "tickets"."order_id" IS NOT NULL THEN 'reserved' ELSE 'available' END
  FROM "events"
  WHERE fold_text("events"."name") = fold_text("tickets"."title")
    AND "events"."venue" = 'Venue to be announced'
    AND "events"."starts_at" = "tickets"."created_at" + interval '30 days';--> statement-breakpoint
ALTER TABLE "tickets" ALTER COLUMN "event_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ALTER COLUMN "starts_at" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "events_starts_at_idx" ON "events" USING btree ("starts_at","id");--> statement-breakpoint
CREATE INDEX "events_search_idx" ON "events" USING gin ("search");--> statement-breakpoint
CREATE INDEX "events_name_trgm_idx" ON "events" USING gin (fold_text("name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "events_city_idx" ON "events" USING btree (fold_text("city"),"starts_at");--> statement-breakpoint
CREATE INDEX "events_category_idx" ON "events" USING btree ("category","starts_at");--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tickets_available_event_price_idx" ON "tickets" USING btree ("event_id","price","id") WHERE "tickets"."status" = 'available';--> statement-breakpoint
CREATE INDEX "tickets_available_start_idx" ON "tickets" USING btree ("starts_at","price","id") WHERE "tickets"."status" = 'available';--> statement-breakpoint
CREATE INDEX "tickets_available_price_idx" ON "tickets" USING btree ("price","starts_at","id") WHERE "tickets"."status" = 'available';--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_status_known" CHECK ("tickets"."status" in ('available', 'reserved', 'sold', 'unlisted', 'closed'));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_status_order" CHECK (("tickets"."order_id" is not null) = ("tickets"."status" in ('reserved', 'sold')));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_status_sold" CHECK (("tickets"."sold_at" is not null) = ("tickets"."status" = 'sold'));