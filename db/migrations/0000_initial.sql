CREATE TYPE "public"."case_status" AS ENUM('OPEN', 'UNDER_INVESTIGATION', 'REFERRED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."crime_category" AS ENUM('TERRORISM', 'ILLICIT_DRUG_TRAFFICKING', 'TRAFFICKING_IN_PERSONS', 'PEOPLE_SMUGGLING', 'MONEY_LAUNDERING', 'ARMS_SMUGGLING', 'SEA_PIRACY', 'INTERNATIONAL_ECONOMIC_CRIME', 'CYBERCRIME', 'WILDLIFE_AND_TIMBER_TRAFFICKING');--> statement-breakpoint
CREATE TYPE "public"."date_precision" AS ENUM('DAY', 'MONTH', 'YEAR');--> statement-breakpoint
CREATE TYPE "public"."gender" AS ENUM('FEMALE', 'MALE', 'OTHER', 'UNKNOWN');--> statement-breakpoint
CREATE TYPE "public"."identifier_kind" AS ENUM('PASSPORT', 'NATIONAL_ID', 'PHONE', 'EMAIL', 'SOCIAL_HANDLE', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'IMEI', 'VEHICLE_PLATE');--> statement-breakpoint
CREATE TYPE "public"."information_grading" AS ENUM('ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX');--> statement-breakpoint
CREATE TYPE "public"."name_kind" AS ENUM('PRIMARY', 'ALIAS');--> statement-breakpoint
CREATE TYPE "public"."person_role" AS ENUM('SUSPECT', 'VICTIM', 'WITNESS', 'PERSON_AT_RISK');--> statement-breakpoint
CREATE TYPE "public"."person_status" AS ENUM('AT_LARGE', 'DETAINED', 'HANDED_OVER', 'TRAPPED', 'RESCUED', 'REPATRIATED');--> statement-breakpoint
CREATE TYPE "public"."source_grading" AS ENUM('A', 'B', 'C', 'D', 'E', 'F');--> statement-breakpoint
CREATE TYPE "public"."syndicate_member_role" AS ENUM('LEADER', 'MEMBER', 'FACILITATOR', 'MONEY_MULE');--> statement-breakpoint
CREATE TYPE "public"."syndicate_status" AS ENUM('ACTIVE', 'DISRUPTED', 'DISMANTLED');--> statement-breakpoint
CREATE TYPE "public"."tlp" AS ENUM('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED');--> statement-breakpoint
CREATE TABLE "case_persons" (
	"case_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"role" "person_role" NOT NULL,
	CONSTRAINT "case_persons_case_id_person_id_role_pk" PRIMARY KEY("case_id","person_id","role")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency" varchar(16) NOT NULL,
	"global_id" text GENERATED ALWAYS AS (agency || ':' || id::text) STORED NOT NULL,
	"external_ref" varchar(200) NOT NULL,
	"tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"handling_code" varchar(32) DEFAULT 'H3' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"title" varchar(500) NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"crime_category" "crime_category" NOT NULL,
	"status" "case_status" DEFAULT 'OPEN' NOT NULL,
	"country" char(2) NOT NULL,
	"location" varchar(300),
	"opened_on" date NOT NULL,
	"closed_on" date,
	"opened_month" date NOT NULL,
	"closed_month" date,
	CONSTRAINT "cases_closed_after_opened" CHECK ("cases"."closed_on" IS NULL OR "cases"."closed_on" >= "cases"."opened_on"),
	CONSTRAINT "cases_version_positive" CHECK ("cases"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "identifiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency" varchar(16) NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" "identifier_kind" NOT NULL,
	"value" varchar(200) NOT NULL,
	"normalised" varchar(200) NOT NULL,
	"issuing_country" char(2),
	"tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "intel_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency" varchar(16) NOT NULL,
	"global_id" text GENERATED ALWAYS AS (agency || ':' || id::text) STORED NOT NULL,
	"external_ref" varchar(200) NOT NULL,
	"tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"handling_code" varchar(32) DEFAULT 'H3' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"title" varchar(500) NOT NULL,
	"body" text NOT NULL,
	"source_grading" "source_grading" NOT NULL,
	"information_grading" "information_grading" NOT NULL,
	"crime_category" "crime_category" NOT NULL,
	"reported_on" date NOT NULL,
	"reported_month" date NOT NULL,
	CONSTRAINT "intel_reports_version_positive" CHECK ("intel_reports"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "intel_subjects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"case_id" uuid,
	"person_id" uuid,
	"syndicate_id" uuid,
	CONSTRAINT "intel_subjects_exactly_one" CHECK (num_nonnulls("intel_subjects"."case_id", "intel_subjects"."person_id", "intel_subjects"."syndicate_id") = 1)
);
--> statement-breakpoint
CREATE TABLE "person_names" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" "name_kind" DEFAULT 'PRIMARY' NOT NULL,
	"full_name" varchar(300) NOT NULL,
	"script" varchar(4) DEFAULT 'Latn' NOT NULL,
	"romanised" varchar(300),
	"tokens" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency" varchar(16) NOT NULL,
	"global_id" text GENERATED ALWAYS AS (agency || ':' || id::text) STORED NOT NULL,
	"external_ref" varchar(200) NOT NULL,
	"tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"handling_code" varchar(32) DEFAULT 'H3' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"date_of_birth" date,
	"date_of_birth_precision" date_precision,
	"date_of_birth_approximate" boolean DEFAULT false NOT NULL,
	"nationality" char(2),
	"gender" "gender" DEFAULT 'UNKNOWN' NOT NULL,
	"status" "person_status" DEFAULT 'AT_LARGE' NOT NULL,
	"last_known_country" char(2),
	"status_changed_on" date,
	"status_month" date,
	"notes" text DEFAULT '' NOT NULL,
	CONSTRAINT "persons_dob_precision_present" CHECK (("persons"."date_of_birth" IS NULL) = ("persons"."date_of_birth_precision" IS NULL)),
	CONSTRAINT "persons_version_positive" CHECK ("persons"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "syndicate_cases" (
	"syndicate_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	CONSTRAINT "syndicate_cases_syndicate_id_case_id_pk" PRIMARY KEY("syndicate_id","case_id")
);
--> statement-breakpoint
CREATE TABLE "syndicate_members" (
	"syndicate_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"role" "syndicate_member_role" NOT NULL,
	CONSTRAINT "syndicate_members_syndicate_id_person_id_pk" PRIMARY KEY("syndicate_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "syndicates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency" varchar(16) NOT NULL,
	"global_id" text GENERATED ALWAYS AS (agency || ':' || id::text) STORED NOT NULL,
	"external_ref" varchar(200) NOT NULL,
	"tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"handling_code" varchar(32) DEFAULT 'H3' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"name" varchar(300) NOT NULL,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "syndicate_status" DEFAULT 'ACTIVE' NOT NULL,
	"countries" text[] DEFAULT '{}'::text[] NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"crime_category" "crime_category" NOT NULL,
	CONSTRAINT "syndicates_version_positive" CHECK ("syndicates"."version" > 0)
);
--> statement-breakpoint
ALTER TABLE "case_persons" ADD CONSTRAINT "case_persons_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_persons" ADD CONSTRAINT "case_persons_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identifiers" ADD CONSTRAINT "identifiers_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intel_subjects" ADD CONSTRAINT "intel_subjects_report_id_intel_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."intel_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intel_subjects" ADD CONSTRAINT "intel_subjects_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intel_subjects" ADD CONSTRAINT "intel_subjects_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intel_subjects" ADD CONSTRAINT "intel_subjects_syndicate_id_syndicates_id_fk" FOREIGN KEY ("syndicate_id") REFERENCES "public"."syndicates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_names" ADD CONSTRAINT "person_names_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "syndicate_cases" ADD CONSTRAINT "syndicate_cases_syndicate_id_syndicates_id_fk" FOREIGN KEY ("syndicate_id") REFERENCES "public"."syndicates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "syndicate_cases" ADD CONSTRAINT "syndicate_cases_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "syndicate_members" ADD CONSTRAINT "syndicate_members_syndicate_id_syndicates_id_fk" FOREIGN KEY ("syndicate_id") REFERENCES "public"."syndicates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "syndicate_members" ADD CONSTRAINT "syndicate_members_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_persons_person_idx" ON "case_persons" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_agency_external_ref_key" ON "cases" USING btree ("agency","external_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_global_id_key" ON "cases" USING btree ("global_id");--> statement-breakpoint
CREATE INDEX "cases_crime_category_opened_month_idx" ON "cases" USING btree ("crime_category","opened_month");--> statement-breakpoint
CREATE INDEX "cases_opened_month_idx" ON "cases" USING btree ("opened_month");--> statement-breakpoint
CREATE INDEX "cases_status_idx" ON "cases" USING btree ("status");--> statement-breakpoint
CREATE INDEX "identifiers_kind_normalised_idx" ON "identifiers" USING btree ("kind","normalised");--> statement-breakpoint
CREATE UNIQUE INDEX "identifiers_person_kind_normalised_key" ON "identifiers" USING btree ("person_id","kind","normalised");--> statement-breakpoint
CREATE UNIQUE INDEX "intel_reports_agency_external_ref_key" ON "intel_reports" USING btree ("agency","external_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "intel_reports_global_id_key" ON "intel_reports" USING btree ("global_id");--> statement-breakpoint
CREATE INDEX "intel_reports_reported_month_idx" ON "intel_reports" USING btree ("reported_month");--> statement-breakpoint
CREATE INDEX "intel_subjects_report_idx" ON "intel_subjects" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "intel_subjects_case_idx" ON "intel_subjects" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "intel_subjects_person_idx" ON "intel_subjects" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "intel_subjects_syndicate_idx" ON "intel_subjects" USING btree ("syndicate_id");--> statement-breakpoint
CREATE INDEX "person_names_person_idx" ON "person_names" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "person_names_tokens_idx" ON "person_names" USING gin ("tokens");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_agency_external_ref_key" ON "persons" USING btree ("agency","external_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_global_id_key" ON "persons" USING btree ("global_id");--> statement-breakpoint
CREATE INDEX "persons_status_month_idx" ON "persons" USING btree ("status","status_month");--> statement-breakpoint
CREATE INDEX "persons_nationality_idx" ON "persons" USING btree ("nationality");--> statement-breakpoint
CREATE INDEX "syndicate_cases_case_idx" ON "syndicate_cases" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "syndicate_members_person_idx" ON "syndicate_members" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "syndicates_agency_external_ref_key" ON "syndicates" USING btree ("agency","external_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "syndicates_global_id_key" ON "syndicates" USING btree ("global_id");--> statement-breakpoint
CREATE INDEX "syndicates_status_idx" ON "syndicates" USING btree ("status");