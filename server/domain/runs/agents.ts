// Agents as the launch form sees them, the admin's switch that opens a restricted
// agent to members (or closes one), and the verifier operators give a agent.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import type { Role } from "../../generated/prisma/enums";
import { isAgentRestricted, mayUseAgent } from "./launch-rules";

/** Active agents, each marked with whether it is restricted and whether this caller may launch it. */
export async function listAgents(db: DbClient, role: Role) {
  const agents = await db.agent.findMany({
    where: { active: true },
    orderBy: { name: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      model: true,
      policy: true,
      restricted: true,
      specialization: true,
      capabilities: true,
      status: true,
      verifier: true,
    },
  });
  return agents.map((p) => ({ ...p, restricted: isAgentRestricted(p), usable: mayUseAgent(role, p) }));
}

export async function setAgentRestricted(db: DbClient, input: { actorRole: Role; agentId: string; restricted: boolean }) {
  if (input.actorRole !== "admin") throw new AppError("FORBIDDEN", "only an admin may open or restrict an agent");
  const found = await db.agent.findUnique({ where: { id: input.agentId }, select: { id: true } });
  if (!found) throw new AppError("NOT_FOUND", "no agent with that id", { field: "agentId" });
  return db.agent.update({
    where: { id: input.agentId },
    data: { restricted: input.restricted },
    select: { id: true, restricted: true },
  });
}

/** Sets (or clears, with null) the verifier every new run of the agent carries. Operators only (the router). */
export async function setAgentVerifier(db: DbClient, input: { agentId: string; verifier: string | null }) {
  const updated = await db.agent.updateMany({ where: { id: input.agentId }, data: { verifier: input.verifier } });
  if (updated.count === 0) throw new AppError("NOT_FOUND", "no agent with that id", { field: "agentId" });
  return { id: input.agentId, verifier: input.verifier };
}
