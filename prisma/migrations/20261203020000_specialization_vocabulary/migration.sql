-- One specialization vocabulary (shared/task-rules.ts SPECIALIZATIONS): researcher, writer, coder,
-- designer, reviewer, outreach, general. Agents and tasks stored with an older word take the new one.
CREATE TEMPORARY TABLE "specialization_renames" ("old" TEXT PRIMARY KEY, "new" TEXT NOT NULL);
INSERT INTO "specialization_renames" ("old", "new") VALUES
  ('research', 'researcher'),
  ('writing', 'writer'),
  ('coding', 'coder'),
  ('code', 'coder'),
  ('developer', 'coder'),
  ('design', 'designer'),
  ('review', 'reviewer');

UPDATE "agents" a SET "specialization" = r."new" FROM "specialization_renames" r WHERE a."specialization" = r."old";
UPDATE "tasks" t SET "requiredSpecialization" = r."new" FROM "specialization_renames" r WHERE t."requiredSpecialization" = r."old";

DROP TABLE "specialization_renames";
