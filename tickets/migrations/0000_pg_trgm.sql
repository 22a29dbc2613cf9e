-- Trigram operator classes for the ticket title search index (trusted extension since Postgres 13).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
