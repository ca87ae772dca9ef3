-- Null: restricted when the profile's policy is llm (see AgentProfile.restricted).
ALTER TABLE "agent_profiles" ADD COLUMN "restricted" BOOLEAN;
