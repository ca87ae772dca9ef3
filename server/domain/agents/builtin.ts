// The agents every Paddock ships with: without one nobody can launch a run, so every
// start (any role, compose or `npm start`) makes sure they exist. Demo users and runs are
// `npm start`'s alone (server/seed/demo.ts).
import type { Db } from "../../lib/db";

/** The demo agent leaves one file per unit of progress in results/; its verifier counts them. */
export const DEMO_VERIFIER = "ls results 2>/dev/null | wc -l";

export const BUILTIN_MAX_CONCURRENT_TASKS = 10;

export const BUILTIN_AGENTS = [
  {
    slug: "demo-sonnet",
    name: "Scout (demo)",
    model: "claude-sonnet-demo",
    specialization: "researcher",
    capabilities: ["browse", "summarize"],
    policy: "demo",
    verifier: DEMO_VERIFIER,
  },
  {
    slug: "demo-gpt",
    name: "Forge (demo)",
    model: "gpt-demo",
    specialization: "coder",
    capabilities: ["code", "test"],
    policy: "demo",
    verifier: DEMO_VERIFIER,
  },
  {
    slug: "demo-llama",
    name: "Herald (demo)",
    model: "llama-demo",
    specialization: "outreach",
    capabilities: ["email", "write"],
    policy: "demo",
    verifier: DEMO_VERIFIER,
  },
  {
    slug: "llm-agent",
    name: "LLM agent",
    model: "gpt-4o-mini",
    specialization: "general",
    capabilities: ["reason"],
    policy: "llm",
    verifier: null,
  },
] as const;

/**
 * Creates the built-in agents that are missing and returns all of them. An existing agent
 * is left as an operator may have edited it; concurrent starts (an API and a worker booting
 * together) are harmless because missing rows are inserted with ON CONFLICT DO NOTHING.
 */
export async function ensureBuiltinAgents(db: Db) {
  await db.agent.createMany({
    // Site-wide builtins (no workspace): every workspace's tasks share them, several at once.
    data: BUILTIN_AGENTS.map((p) => ({ ...p, capabilities: [...p.capabilities], maxConcurrentTasks: BUILTIN_MAX_CONCURRENT_TASKS })),
    skipDuplicates: true,
  });
  return db.agent.findMany({ where: { slug: { in: BUILTIN_AGENTS.map((p) => p.slug) } } });
}
