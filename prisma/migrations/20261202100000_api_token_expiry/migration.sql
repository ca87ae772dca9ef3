-- Personal API tokens may expire (NULL: valid until revoked). UTC, like every timestamp here.
ALTER TABLE "api_tokens" ADD COLUMN "expiresAt" TIMESTAMP(3);
