CREATE TABLE "trust_list_floor" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" integer NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trust_list_floor_single_row" CHECK ("trust_list_floor"."id" = 1)
);
