-- Built-in demo profiles created before verifiers existed get the demo verifier once (new ones are
-- created with it by ensureBuiltinProfiles). A verifier an operator set later is theirs to keep.
UPDATE "agent_profiles" SET "verifier" = 'ls results 2>/dev/null | wc -l'
 WHERE "slug" IN ('demo-sonnet', 'demo-gpt', 'demo-llama') AND "verifier" IS NULL;
