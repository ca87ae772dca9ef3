// Agent profiles as the launch form sees them, the admin's switch that opens a restricted
// profile to members (or closes one), and the verifier operators give a profile.
import { AppError } from "../../lib/errors";
import type { Db } from "../../lib/db";
import type { Role } from "../../generated/prisma/enums";
import { isProfileRestricted, mayUseProfile } from "./launch-rules";

/** Active profiles, each marked with whether it is restricted and whether this caller may launch it. */
export async function listProfiles(db: Db, role: Role) {
  const profiles = await db.agentProfile.findMany({
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
  return profiles.map((p) => ({ ...p, restricted: isProfileRestricted(p), usable: mayUseProfile(role, p) }));
}

export async function setProfileRestricted(db: Db, input: { actorRole: Role; profileId: string; restricted: boolean }) {
  if (input.actorRole !== "admin") throw new AppError("FORBIDDEN", "only an admin may open or restrict an agent profile");
  const found = await db.agentProfile.findUnique({ where: { id: input.profileId }, select: { id: true } });
  if (!found) throw new AppError("NOT_FOUND", "no agent profile with that id", { field: "profileId" });
  return db.agentProfile.update({
    where: { id: input.profileId },
    data: { restricted: input.restricted },
    select: { id: true, restricted: true },
  });
}

/** Sets (or clears, with null) the verifier every new run of the profile carries. Operators only (the router). */
export async function setProfileVerifier(db: Db, input: { agentProfileId: string; verifier: string | null }) {
  const updated = await db.agentProfile.updateMany({ where: { id: input.agentProfileId }, data: { verifier: input.verifier } });
  if (updated.count === 0) throw new AppError("NOT_FOUND", "no agent profile with that id", { field: "agentProfileId" });
  return { id: input.agentProfileId, verifier: input.verifier };
}
