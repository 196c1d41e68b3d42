CREATE TABLE "safety_blocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"source" text NOT NULL,
	"field" text,
	"rule" text NOT NULL,
	"terms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"excerpt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "flagged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "flag_reason" text;--> statement-breakpoint
ALTER TABLE "safety_blocks" ADD CONSTRAINT "safety_blocks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "safety_blocks_user_idx" ON "safety_blocks" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "safety_blocks_created_idx" ON "safety_blocks" USING btree ("created_at");