CREATE TABLE "stats_case_counts" (
	"agency" varchar(16) NOT NULL,
	"measure" text NOT NULL,
	"crime_category" "crime_category" NOT NULL,
	"month" date NOT NULL,
	"status" "case_status" NOT NULL,
	"tlp" "tlp" NOT NULL,
	"handling_code" varchar(32) NOT NULL,
	"cases" integer NOT NULL,
	CONSTRAINT "stats_case_counts_pk" PRIMARY KEY("agency","measure","crime_category","month","status","tlp","handling_code")
);
--> statement-breakpoint
CREATE TABLE "stats_person_cells" (
	"person_id" uuid NOT NULL,
	"agency" varchar(16) NOT NULL,
	"measure" text NOT NULL,
	"crime_category" "crime_category" NOT NULL,
	"month" date NOT NULL,
	"tlp" "tlp" NOT NULL,
	"handling_code" varchar(32) NOT NULL,
	"nationality" char(2),
	"status" "person_status" NOT NULL,
	"min_case_tlp" "tlp" NOT NULL,
	CONSTRAINT "stats_person_cells_pk" PRIMARY KEY("person_id","measure","crime_category","month")
);
--> statement-breakpoint
CREATE TABLE "stats_person_counts" (
	"agency" varchar(16) NOT NULL,
	"measure" text NOT NULL,
	"crime_category" "crime_category" NOT NULL,
	"month" date NOT NULL,
	"tlp" "tlp" NOT NULL,
	"handling_code" varchar(32) NOT NULL,
	"nationality" char(2),
	"status" "person_status" NOT NULL,
	"min_case_tlp" "tlp" NOT NULL,
	"persons" integer NOT NULL,
	CONSTRAINT "stats_person_counts_key" UNIQUE NULLS NOT DISTINCT("agency","measure","crime_category","month","tlp","handling_code","nationality","status","min_case_tlp")
);
--> statement-breakpoint
CREATE INDEX "stats_case_counts_month_idx" ON "stats_case_counts" USING btree ("agency","measure","month");--> statement-breakpoint
CREATE INDEX "stats_person_cells_month_idx" ON "stats_person_cells" USING btree ("agency","measure","month");--> statement-breakpoint
CREATE INDEX "stats_person_counts_month_idx" ON "stats_person_counts" USING btree ("agency","measure","month");
--> statement-breakpoint
-- The statistics rollups (docs/statistics.md, "Rollups"), kept current inside every transaction
-- that changes the records they count: statement-level triggers with transition tables, so a COPY
-- or a multi-row insert pays once per statement, not once per row.
--
-- stats_person_cells: the cells of the given persons, computed again from the records.
CREATE FUNCTION "public"."stats_person_cells_refresh"(person_ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM "stats_person_cells" s USING unnest(person_ids) AS ids("id") WHERE s."person_id" = ids."id";
  INSERT INTO "stats_person_cells"
    ("person_id", "agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality",
     "status", "min_case_tlp")
  SELECT p."id", p."agency", cell."measure", c."crime_category", cell."month", p."tlp", p."handling_code",
         p."nationality", p."status", min(c."tlp")
  FROM unnest(person_ids) AS ids("id")
  JOIN "persons" p ON p."id" = ids."id"
  JOIN "case_persons" cp ON cp."person_id" = p."id"
  JOIN "cases" c ON c."id" = cp."case_id" AND c."agency" = p."agency"
  CROSS JOIN LATERAL (
    SELECT cp."role"::text AS "measure", c."opened_month" AS "month"
    UNION ALL
    SELECT p."status"::text, p."status_month"
    WHERE p."status" IN ('RESCUED', 'REPATRIATED') AND p."status_month" IS NOT NULL
  ) AS cell
  GROUP BY p."id", p."agency", cell."measure", c."crime_category", cell."month", p."tlp", p."handling_code",
           p."nationality", p."status";
$$;
--> statement-breakpoint
-- stats_case_counts: a count per grid key; a change takes the old rows' keys away and adds the new.
CREATE FUNCTION "public"."stats_on_cases_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO "stats_case_counts" AS counts
      ("agency", "measure", "crime_category", "month", "status", "tlp", "handling_code", "cases")
    SELECT o."agency", m."measure", o."crime_category", m."month", o."status", o."tlp", o."handling_code",
           -count(*)
    FROM old_cases o
    CROSS JOIN LATERAL (VALUES ('OPENED', o."opened_month"), ('CLOSED', o."closed_month")) AS m("measure", "month")
    WHERE m."month" IS NOT NULL
    GROUP BY o."agency", m."measure", o."crime_category", m."month", o."status", o."tlp", o."handling_code"
    ON CONFLICT ON CONSTRAINT "stats_case_counts_pk"
      DO UPDATE SET "cases" = counts."cases" + excluded."cases";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "stats_case_counts" AS counts
      ("agency", "measure", "crime_category", "month", "status", "tlp", "handling_code", "cases")
    SELECT n."agency", m."measure", n."crime_category", m."month", n."status", n."tlp", n."handling_code",
           count(*)
    FROM new_cases n
    CROSS JOIN LATERAL (VALUES ('OPENED', n."opened_month"), ('CLOSED', n."closed_month")) AS m("measure", "month")
    WHERE m."month" IS NOT NULL
    GROUP BY n."agency", m."measure", n."crime_category", m."month", n."status", n."tlp", n."handling_code"
    ON CONFLICT ON CONSTRAINT "stats_case_counts_pk"
      DO UPDATE SET "cases" = counts."cases" + excluded."cases";
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM "stats_case_counts" counts USING old_cases o
    WHERE counts."cases" = 0 AND counts."agency" = o."agency" AND counts."crime_category" = o."crime_category"
      AND counts."month" IN (o."opened_month", o."closed_month") AND counts."status" = o."status"
      AND counts."tlp" = o."tlp" AND counts."handling_code" = o."handling_code";
  END IF;
  -- A case's category, month or TLP moves the cells of the persons in it (a deleted case's links go
  -- with it, and their own trigger refreshes those persons).
  IF TG_OP = 'UPDATE' THEN
    PERFORM "stats_person_cells_refresh"(ARRAY(
      SELECT DISTINCT cp."person_id" FROM new_cases n JOIN "case_persons" cp ON cp."case_id" = n."id"));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "public"."stats_on_persons_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM "stats_person_cells" s USING old_persons o WHERE s."person_id" = o."id";
  ELSE
    PERFORM "stats_person_cells_refresh"(ARRAY(SELECT "id" FROM new_persons));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "public"."stats_on_case_persons_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "stats_person_cells_refresh"(ARRAY(SELECT DISTINCT "person_id" FROM new_links));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM "stats_person_cells_refresh"(ARRAY(SELECT DISTINCT "person_id" FROM old_links));
  ELSE
    PERFORM "stats_person_cells_refresh"(ARRAY(
      SELECT "person_id" FROM new_links UNION SELECT "person_id" FROM old_links));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A truncated record table empties the rollups it feeds (the test harness empties tables so); the
-- person counts follow the cells through their own trigger.
CREATE FUNCTION "public"."stats_on_records_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'cases' THEN
    DELETE FROM "stats_case_counts";
  END IF;
  DELETE FROM "stats_person_cells";
  IF TG_TABLE_NAME <> 'persons' THEN
    PERFORM "stats_person_cells_refresh"(ARRAY(SELECT "id" FROM "persons"));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "stats_cases_insert" AFTER INSERT ON "cases" REFERENCING NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_cases_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_cases_update" AFTER UPDATE ON "cases"
  REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_cases_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_cases_delete" AFTER DELETE ON "cases" REFERENCING OLD TABLE AS old_cases
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_cases_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_persons_update" AFTER UPDATE ON "persons" REFERENCING NEW TABLE AS new_persons
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_persons_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_persons_delete" AFTER DELETE ON "persons" REFERENCING OLD TABLE AS old_persons
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_persons_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_case_persons_insert" AFTER INSERT ON "case_persons" REFERENCING NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_case_persons_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_case_persons_update" AFTER UPDATE ON "case_persons"
  REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_case_persons_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_case_persons_delete" AFTER DELETE ON "case_persons" REFERENCING OLD TABLE AS old_links
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_case_persons_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_cases_truncate" AFTER TRUNCATE ON "cases"
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_records_truncate"();
--> statement-breakpoint
CREATE TRIGGER "stats_persons_truncate" AFTER TRUNCATE ON "persons"
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_records_truncate"();
--> statement-breakpoint
CREATE TRIGGER "stats_case_persons_truncate" AFTER TRUNCATE ON "case_persons"
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_records_truncate"();
--> statement-breakpoint
-- stats_person_counts: one per person cell, by key; a cell added adds one, a cell removed takes one.
CREATE FUNCTION "public"."stats_on_person_cells_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "stats_person_counts" AS counts
      ("agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality", "status",
       "min_case_tlp", "persons")
    SELECT "agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality", "status",
           "min_case_tlp", count(*)
    FROM new_cells
    GROUP BY "agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality", "status",
             "min_case_tlp"
    ON CONFLICT ON CONSTRAINT "stats_person_counts_key"
      DO UPDATE SET "persons" = counts."persons" + excluded."persons";
  ELSE
    INSERT INTO "stats_person_counts" AS counts
      ("agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality", "status",
       "min_case_tlp", "persons")
    SELECT "agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality", "status",
           "min_case_tlp", -count(*)
    FROM old_cells
    GROUP BY "agency", "measure", "crime_category", "month", "tlp", "handling_code", "nationality", "status",
             "min_case_tlp"
    ON CONFLICT ON CONSTRAINT "stats_person_counts_key"
      DO UPDATE SET "persons" = counts."persons" + excluded."persons";
    DELETE FROM "stats_person_counts" counts USING old_cells o
    WHERE counts."persons" = 0 AND counts."agency" = o."agency" AND counts."measure" = o."measure"
      AND counts."crime_category" = o."crime_category" AND counts."month" = o."month"
      AND counts."tlp" = o."tlp" AND counts."handling_code" = o."handling_code"
      AND counts."nationality" IS NOT DISTINCT FROM o."nationality" AND counts."status" = o."status"
      AND counts."min_case_tlp" = o."min_case_tlp";
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "stats_person_cells_insert" AFTER INSERT ON "stats_person_cells" REFERENCING NEW TABLE AS new_cells
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_person_cells_change"();
--> statement-breakpoint
CREATE TRIGGER "stats_person_cells_delete" AFTER DELETE ON "stats_person_cells" REFERENCING OLD TABLE AS old_cells
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."stats_on_person_cells_change"();
--> statement-breakpoint
-- The records already held are counted once, here.
INSERT INTO "stats_case_counts"
  ("agency", "measure", "crime_category", "month", "status", "tlp", "handling_code", "cases")
SELECT c."agency", m."measure", c."crime_category", m."month", c."status", c."tlp", c."handling_code", count(*)
FROM "cases" c
CROSS JOIN LATERAL (VALUES ('OPENED', c."opened_month"), ('CLOSED', c."closed_month")) AS m("measure", "month")
WHERE m."month" IS NOT NULL
GROUP BY c."agency", m."measure", c."crime_category", m."month", c."status", c."tlp", c."handling_code";
--> statement-breakpoint
SELECT "stats_person_cells_refresh"(ARRAY(SELECT "id" FROM "persons"));
