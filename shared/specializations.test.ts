// One specialization vocabulary: the shipped templates, the builtin agents and the demo team use the
// list in shared/task-rules.ts, and the older words people type are read as the new ones.
import { describe, expect, it } from "vitest";
import { PIPELINE_TEMPLATES } from "./pipeline-templates";
import { canonicalSpecialization, SPECIALIZATIONS } from "./task-rules";
import { createAgentInput, createTaskInput, updateAgentInput, updateTaskInput } from "./work";
import { BUILTIN_AGENTS } from "../server/domain/agents/builtin";
import { DEMO_TEAM_SPECIALIZATIONS } from "../server/seed/demo-pipelines";

const known = (s: string) => (SPECIALIZATIONS as readonly string[]).includes(s);

describe("specializations", () => {
  it("templates, builtin agents and the demo team use the one list", () => {
    for (const t of PIPELINE_TEMPLATES)
      for (const s of t.steps) expect([t.key, s.key, known(s.specialization)]).toEqual([t.key, s.key, true]);
    for (const a of BUILTIN_AGENTS) expect([a.slug, known(a.specialization)]).toEqual([a.slug, true]);
    for (const s of DEMO_TEAM_SPECIALIZATIONS) expect(known(s)).toBe(true);
  });

  it.each([
    ["research", "researcher"],
    ["Coding", "coder"],
    ["writing", "writer"],
    ["design", "designer"],
    ["review", "reviewer"],
    ["researcher", "researcher"],
    ["outreach", "outreach"],
    ["translator", "translator"],
  ])("reads %s as %s on input", (typed, meant) => {
    expect(canonicalSpecialization(typed.toLowerCase())).toBe(meant);
    expect(createAgentInput.parse({ workspaceId: "w", name: "A", kind: "external", specialization: typed }).specialization).toBe(meant);
    expect(updateAgentInput.parse({ id: "a", specialization: typed }).specialization).toBe(meant);
    expect(createTaskInput.parse({ projectId: "p", title: "T", requiredSpecialization: typed }).requiredSpecialization).toBe(meant);
    expect(updateTaskInput.parse({ id: "t", requiredSpecialization: typed }).requiredSpecialization).toBe(meant);
  });

  it("keeps the other rules of a specialization word", () => {
    expect(createTaskInput.safeParse({ projectId: "p", title: "T", requiredSpecialization: "two words" }).success).toBe(false);
    expect(createTaskInput.parse({ projectId: "p", title: "T", requiredSpecialization: null }).requiredSpecialization).toBeNull();
    expect(createAgentInput.parse({ workspaceId: "w", name: "A", kind: "external" }).specialization).toBe("general");
  });
});
