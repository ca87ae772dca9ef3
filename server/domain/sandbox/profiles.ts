// Agent profiles as operators configure them.
import { AppError } from "../../lib/errors";
import type { Db } from "../../lib/db";

/** Sets (or clears, with null) the verifier every new run of the profile carries. Operators only (the router). */
export async function setProfileVerifier(db: Db, input: { agentProfileId: string; verifier: string | null }) {
  const updated = await db.agentProfile.updateMany({ where: { id: input.agentProfileId }, data: { verifier: input.verifier } });
  if (updated.count === 0) throw new AppError("NOT_FOUND", "no agent profile with that id", { field: "agentProfileId" });
  return { id: input.agentProfileId, verifier: input.verifier };
}
