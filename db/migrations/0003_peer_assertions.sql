CREATE TABLE "peer_assertions_seen" (
	"issuer" varchar(16) NOT NULL,
	"jti" varchar(256) NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "peer_assertions_seen_issuer_jti_pk" PRIMARY KEY("issuer","jti")
);
--> statement-breakpoint
CREATE INDEX "peer_assertions_seen_expires_at_idx" ON "peer_assertions_seen" USING btree ("expires_at");