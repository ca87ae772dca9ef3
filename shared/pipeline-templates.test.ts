// The template rule: what makes a runnable DAG, on hand-made cases and on random graphs, and the
// shipped templates passing it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PIPELINE_TEMPLATES,
  dependentsOf,
  inputProblem,
  outreach,
  renderInstructions,
  researchDraftReview,
  validatePipelineTemplate,
  type PipelineStep,
} from "./pipeline-templates";

const step = (key: string, dependsOn: string[] = [], extra: Partial<PipelineStep> = {}): PipelineStep => ({
  key,
  name: key,
  specialization: "general",
  instructions: `do ${key}`,
  dependsOn,
  ...extra,
});

describe("validatePipelineTemplate", () => {
  it("orders steps after their dependencies, keeping the template's order among ready ones", () => {
    const result = validatePipelineTemplate({ steps: [step("c", ["a", "b"]), step("a"), step("b", ["a"]), step("d")] });
    expect(result).toEqual({ ok: true, order: ["a", "b", "c", "d"] });
  });

  it.each([
    ["no steps", [], "steps", /at least one step/],
    ["a bad key", [step("Bad Key")], "steps.0.key", /must start with a letter/],
    ["a repeated key", [step("a"), step("a")], "steps.1.key", /used twice/],
    ["an unknown dependency", [step("a"), step("b", ["zzz"])], "steps.1.dependsOn.0", /"zzz", which is not a step/],
    ["a dependency on itself", [step("a", ["a"])], "steps.0.dependsOn.0", /cannot depend on itself/],
    ["a repeated dependency", [step("a"), step("b", ["a", "a"])], "steps.1.dependsOn.1", /lists "a" twice/],
    ["a two-step cycle", [step("a", ["b"]), step("b", ["a"])], "steps.0.dependsOn", /cycle: a → b → a/],
    [
      "a cycle behind a good step",
      [step("root"), step("x", ["root", "z"]), step("y", ["x"]), step("z", ["y"])],
      "steps.1.dependsOn",
      /cycle: x → z → y → x/,
    ],
    [
      "an external job without attempts",
      [step("a", [], { externalJob: { service: "render", timeoutSeconds: 60, attempts: 0, pollEverySeconds: 5 } })],
      "steps.0.externalJob.attempts",
      /at least 1/,
    ],
  ])("refuses %s, naming the field", (_name, steps, field, message) => {
    const result = validatePipelineTemplate({ steps });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.field).toBe(field);
      expect(result.problem.message).toMatch(message);
    }
  });

  it("accepts exactly the acyclic graphs, and its order respects every dependency", () => {
    // Random graphs over n steps: an edge i→j is "j depends on i"; acyclic iff no cycle exists.
    const graph = fc
      .integer({ min: 1, max: 7 })
      .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 12 })));
    fc.assert(
      fc.property(graph, ([n, edges]) => {
        const deps = Array.from({ length: n }, () => new Set<number>());
        for (const [from, to] of edges) if (from !== to) deps[to]!.add(from);
        const steps = deps.map((d, i) =>
          step(
            `s${i}`,
            [...d].map((j) => `s${j}`),
          ),
        );
        const reaches = (from: number, to: number, seen = new Set<number>()): boolean =>
          [...deps[from]!].some((d) => d === to || (!seen.has(d) && (seen.add(d), reaches(d, to, seen))));
        const cyclic = deps.some((_, i) => reaches(i, i));
        const result = validatePipelineTemplate({ steps });
        expect(result.ok).toBe(!cyclic);
        if (result.ok) {
          expect([...result.order].sort()).toEqual(steps.map((s) => s.key).sort());
          for (const s of steps) for (const d of s.dependsOn) expect(result.order.indexOf(d)).toBeLessThan(result.order.indexOf(s.key));
        }
      }),
    );
  });
});

describe("shipped templates", () => {
  it("are valid DAGs with unique keys", () => {
    expect(new Set(PIPELINE_TEMPLATES.map((t) => t.key)).size).toBe(PIPELINE_TEMPLATES.length);
    for (const t of PIPELINE_TEMPLATES) expect(validatePipelineTemplate(t)).toMatchObject({ ok: true });
  });

  it("research → draft → review is a chain", () => {
    expect(validatePipelineTemplate(researchDraftReview)).toEqual({ ok: true, order: ["research", "draft", "review"] });
  });

  it("outreach has five steps, render waiting on an external job", () => {
    expect(validatePipelineTemplate(outreach)).toEqual({
      ok: true,
      order: ["research-prospect", "write-script", "generate-assets", "render", "deliver"],
    });
    expect(outreach.steps.filter((s) => s.externalJob).map((s) => s.key)).toEqual(["render"]);
  });
});

describe("helpers", () => {
  it("dependentsOf finds direct and indirect dependents only", () => {
    const t = { steps: [step("a"), step("b", ["a"]), step("c", ["b"]), step("d"), step("e", ["d", "c"])] };
    expect(dependentsOf(t, "a")).toEqual(["b", "c", "e"]);
    expect(dependentsOf(t, "d")).toEqual(["e"]);
    expect(dependentsOf(t, "e")).toEqual([]);
  });

  it("renderInstructions fills known fields and leaves unknown ones", () => {
    expect(renderInstructions("Research {{ topic }} for {{who}}", { topic: "agents" })).toBe("Research agents for {{who}}");
  });

  it("inputProblem names the missing, empty or unknown field", () => {
    expect(inputProblem(outreach, { prospect: "Ada", offer: "demo" })).toBeNull();
    expect(inputProblem(outreach, { prospect: "Ada" })).toMatchObject({ field: "input.offer" });
    expect(inputProblem(outreach, { prospect: " ", offer: "demo" })).toMatchObject({ field: "input.prospect" });
    expect(inputProblem(outreach, { prospect: "Ada", offer: "demo", extra: "x" })).toMatchObject({ field: "input.extra" });
  });
});
