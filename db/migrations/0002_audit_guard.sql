-- The audit log and its checkpoints are append-only (docs/audit.md). These triggers refuse to change
-- or remove a row, whoever asks; only someone who can disable triggers (the table owner or a superuser)
-- gets past them, and the hash chain and the signed checkpoints then show what they did. On PostgreSQL
-- the operator also revokes UPDATE, DELETE and TRUNCATE from the application's role.
CREATE FUNCTION "public"."audit_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "public"."audit_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."audit_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_checkpoints_append_only" BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "public"."audit_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "public"."audit_refuse_change"();
--> statement-breakpoint
-- The empty chain: seq 0 and the all-zero hash that the first row links to.
INSERT INTO "audit_chain_head" ("id", "seq", "row_hash")
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
