CREATE TYPE "public"."audit_direction" AS ENUM('LOCAL', 'INBOUND', 'OUTBOUND');--> statement-breakpoint
CREATE TYPE "public"."audit_operation_kind" AS ENUM('QUERY', 'MUTATION', 'REST_READ', 'REST_WRITE');--> statement-breakpoint
CREATE TYPE "public"."audit_outcome" AS ENUM('ALLOWED', 'PARTIAL', 'DENIED', 'FAILED');--> statement-breakpoint
CREATE TABLE "audit_chain_head" (
	"id" smallint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"row_hash" char(64) NOT NULL,
	CONSTRAINT "audit_chain_head_single_row" CHECK ("audit_chain_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"row_hash" char(64) NOT NULL,
	"signature" text NOT NULL,
	"key_id" varchar(64) NOT NULL,
	"signed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"request_id" varchar(128) NOT NULL,
	"recorded_at" timestamp (6) with time zone NOT NULL,
	"node" varchar(16) NOT NULL,
	"direction" "audit_direction" NOT NULL,
	"principal_kind" varchar(16),
	"principal_agency" varchar(16),
	"principal_subject" varchar(256),
	"principal_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"token_id" varchar(256),
	"client_address" varchar(64),
	"purpose" varchar(200),
	"case_reference" varchar(100),
	"operation_kind" "audit_operation_kind" NOT NULL,
	"operation_name" varchar(300),
	"document_digest" char(64),
	"variables_digest" char(64),
	"policy_version" integer,
	"policy_hash" char(64),
	"outcome" "audit_outcome" NOT NULL,
	"reason_code" varchar(64),
	"http_status" smallint NOT NULL,
	"record_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"fields_withheld" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"peers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"response_digest" char(64),
	"response_bytes" integer,
	"receipt" text,
	"prev_hash" char(64) NOT NULL,
	"row_hash" char(64) NOT NULL,
	CONSTRAINT "audit_log_seq_positive" CHECK ("audit_log"."seq" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_row_hash_key" ON "audit_log" USING btree ("row_hash");--> statement-breakpoint
CREATE INDEX "audit_log_request_id_idx" ON "audit_log" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "audit_log_recorded_at_idx" ON "audit_log" USING btree ("recorded_at");--> statement-breakpoint
CREATE INDEX "audit_log_principal_idx" ON "audit_log" USING btree ("principal_agency","principal_subject");--> statement-breakpoint
CREATE INDEX "audit_log_direction_idx" ON "audit_log" USING btree ("direction","seq");--> statement-breakpoint
CREATE INDEX "audit_log_record_ids_idx" ON "audit_log" USING gin ("record_ids");