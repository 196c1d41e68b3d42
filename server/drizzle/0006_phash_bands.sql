ALTER TABLE "assets" ADD COLUMN "phash_bands" integer[];--> statement-breakpoint
CREATE INDEX "assets_approved_phash_bands_idx" ON "assets" USING gin ("phash_bands") WHERE "assets"."status" = 'approved';--> statement-breakpoint
-- Backfill: the 16 hex digits of every stored pHash as 4 bands of 16 bits (band i → i·65536 + value).
UPDATE "assets" SET "phash_bands" = ARRAY[
  ('x' || substr("phash", 1, 4))::bit(16)::int,
  65536 + ('x' || substr("phash", 5, 4))::bit(16)::int,
  131072 + ('x' || substr("phash", 9, 4))::bit(16)::int,
  196608 + ('x' || substr("phash", 13, 4))::bit(16)::int
] WHERE "phash" ~* '^[0-9a-f]{16}$';
