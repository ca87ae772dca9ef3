-- One specialization vocabulary (shared/task-rules.ts SPECIALIZATIONS): researcher, writer, coder,
-- designer, reviewer, outreach, general. Agents and tasks stored with an older word take the new one.
UPDATE "agents" SET "specialization" = CASE "specialization"
    WHEN 'research' THEN 'researcher'
    WHEN 'writing' THEN 'writer'
    WHEN 'coding' THEN 'coder'
    WHEN 'code' THEN 'coder'
    WHEN 'developer' THEN 'coder'
    WHEN 'design' THEN 'designer'
    WHEN 'review' THEN 'reviewer'
  END
WHERE "specialization" IN ('research', 'writing', 'coding', 'code', 'developer', 'design', 'review');

UPDATE "tasks" SET "requiredSpecialization" = CASE "requiredSpecialization"
    WHEN 'research' THEN 'researcher'
    WHEN 'writing' THEN 'writer'
    WHEN 'coding' THEN 'coder'
    WHEN 'code' THEN 'coder'
    WHEN 'developer' THEN 'coder'
    WHEN 'design' THEN 'designer'
    WHEN 'review' THEN 'reviewer'
  END
WHERE "requiredSpecialization" IN ('research', 'writing', 'coding', 'code', 'developer', 'design', 'review');
