import { describe, expect, it } from "vitest";
import { pickAgent, scoreAgent, type AgentForScoring, type TaskForScoring } from "./agent-score";

const agent = (over: Partial<AgentForScoring> = {}): AgentForScoring => ({
  id: "a",
  kind: "builtin",
  specialization: "research",
  status: "available",
  active: true,
  maxConcurrentTasks: 2,
  runningTasks: 0,
  tasksCompleted: 0,
  tasksFailed: 0,
  totalDurationMs: 0,
  ...over,
});
const open: TaskForScoring = { requiredSpecialization: null, requestedAgentId: null, excludedAgentIds: [] };

describe("scoreAgent", () => {
  it.each([
    ["archived", agent({ active: false }), open],
    ["offline", agent({ status: "offline" }), open],
    ["full", agent({ runningTasks: 2 }), open],
    ["of another specialization", agent({ specialization: "writer" }), { ...open, requiredSpecialization: "research" }],
    ["not the requested agent", agent({ id: "a" }), { ...open, requestedAgentId: "b" }],
    ["excluded by the task", agent({ id: "a" }), { ...open, excludedAgentIds: ["z", "a"] }],
  ])("refuses an agent that is %s", (_name, a, task) => {
    expect(scoreAgent(a, task)).toBeNull();
  });

  it("prefers a matching specialist, an available agent, free slots, reliability and speed — each on its own", () => {
    const base = agent();
    const s = (a: AgentForScoring, task = open) => scoreAgent(a, task)!;
    expect(s(base, { ...open, requiredSpecialization: "research" })).toBeGreaterThan(s(base));
    expect(s(base)).toBeGreaterThan(s(agent({ status: "busy" })));
    expect(s(base)).toBeGreaterThan(s(agent({ runningTasks: 1 })));
    const reliable = agent({ tasksCompleted: 10, tasksFailed: 0, totalDurationMs: 10 * 60_000 });
    const flaky = agent({ tasksCompleted: 5, tasksFailed: 5, totalDurationMs: 5 * 60_000 });
    expect(s(reliable)).toBeGreaterThan(s(flaky));
    const fast = agent({ tasksCompleted: 10, totalDurationMs: 10 * 1_000 });
    const slow = agent({ tasksCompleted: 10, totalDurationMs: 10 * 3_600_000 });
    expect(s(fast)).toBeGreaterThan(s(slow));
  });

  it("stays within 0..100", () => {
    for (const a of [agent(), agent({ status: "busy", runningTasks: 1, tasksFailed: 9, tasksCompleted: 1, totalDurationMs: 1e9 })]) {
      const v = scoreAgent(a, open)!;
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }
  });
});

describe("pickAgent", () => {
  it("picks the best-scoring agent that may take the task, or null", () => {
    const agents = [agent({ id: "busy", status: "busy" }), agent({ id: "free" }), agent({ id: "off", status: "offline" })];
    expect(pickAgent(agents, open)?.agent.id).toBe("free");
    expect(pickAgent([agent({ status: "offline" })], open)).toBeNull();
  });

  it("passes over an agent the task excludes, even the best one", () => {
    const agents = [agent({ id: "best", tasksCompleted: 10 }), agent({ id: "other", status: "busy" })];
    expect(pickAgent(agents, open)?.agent.id).toBe("best");
    expect(pickAgent(agents, { ...open, excludedAgentIds: ["best"] })?.agent.id).toBe("other");
    expect(pickAgent(agents, { ...open, excludedAgentIds: ["best", "other"] })).toBeNull();
  });

  it("gives ties to the earlier agent", () => {
    expect(pickAgent([agent({ id: "first" }), agent({ id: "second" })], open)?.agent.id).toBe("first");
  });
});
