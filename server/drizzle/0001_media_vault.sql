CREATE TABLE "assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"character_id" uuid,
	"folder_id" uuid,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'processing' NOT NULL,
	"decided_by" text,
	"decided_by_user_id" text,
	"decision_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"decided_at" timestamp with time zone,
	"original_name" text DEFAULT '' NOT NULL,
	"mime_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"width" integer,
	"height" integer,
	"duration_seconds" real,
	"sha256" text NOT NULL,
	"phash" text,
	"near_duplicate_of_id" uuid,
	"rating" text,
	"nsfw_scores" jsonb,
	"rating_thresholds" jsonb,
	"identity_score" double precision,
	"identity_threshold" double precision,
	"face_count" integer,
	"min_face_age" real,
	"faces" jsonb,
	"prompt" text,
	"caption" text,
	"engine" text,
	"generation" jsonb,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"incoming_key" text,
	"storage_key" text,
	"thumbnail_key" text,
	"preview_key" text,
	"poster_key" text,
	"waveform" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "folders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "characters" ADD COLUMN "gates" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_embedding" jsonb;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_count" integer;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_age" real;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "adult_content_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_character_id_characters_id_fk" FOREIGN KEY ("character_id") REFERENCES "public"."characters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_folder_id_folders_id_fk" FOREIGN KEY ("folder_id") REFERENCES "public"."folders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "folders" ADD CONSTRAINT "folders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assets_user_sha_uq" ON "assets" USING btree ("user_id","sha256");--> statement-breakpoint
CREATE INDEX "assets_user_created_idx" ON "assets" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "assets_user_status_created_idx" ON "assets" USING btree ("user_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "assets_user_character_created_idx" ON "assets" USING btree ("user_id","character_id","created_at","id");--> statement-breakpoint
CREATE INDEX "assets_user_phash_idx" ON "assets" USING btree ("user_id","phash");--> statement-breakpoint
CREATE INDEX "assets_tags_idx" ON "assets" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "assets_search_idx" ON "assets" USING gin (to_tsvector('simple', "search_text"));--> statement-breakpoint
CREATE UNIQUE INDEX "folders_user_name_uq" ON "folders" USING btree ("user_id",lower("name"));