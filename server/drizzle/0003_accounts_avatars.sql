CREATE TABLE "login_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "characters" ADD COLUMN "avatar_photo_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deleting_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "characters" ADD CONSTRAINT "characters_avatar_photo_id_reference_photos_id_fk" FOREIGN KEY ("avatar_photo_id") REFERENCES "public"."reference_photos"("id") ON DELETE set null ON UPDATE no action;