// The workspace rule over every combination of roles: the properties the product promises.
import { describe, expect, it } from "vitest";
import {
  WORKSPACE_PERMISSIONS,
  WORKSPACE_ROLES,
  assignableRoles,
  can,
  deleteRefusal,
  launchRefusal,
  inviteRefusal,
  leaveRefusal,
  removalRefusal,
  roleChangeRefusal,
  isClientRole,
  shareRefusal,
  type WorkspacePermission,
  type WorkspaceRole,
} from "./workspace-rules";

const team = (ownerCount: number) => ({ personal: false, ownerCount });
const actor = (role: WorkspaceRole) => ({ userId: "actor", role });
const target = (role: WorkspaceRole) => ({ userId: "target", role });
const combos = WORKSPACE_ROLES.flatMap((a) => WORKSPACE_ROLES.flatMap((t) => WORKSPACE_ROLES.map((r) => [a, t, r] as const)));

describe("workspace rules", () => {
  it("viewers read only; members also launch and steer runs; only owners and admins manage members", () => {
    expect(WORKSPACE_ROLES.filter((r) => can(r, "view"))).toEqual(["owner", "admin", "member", "viewer"]);
    expect(WORKSPACE_ROLES.filter((r) => can(r, "launchRuns"))).toEqual(["owner", "admin", "member"]);
    expect(WORKSPACE_ROLES.filter((r) => can(r, "steerRuns"))).toEqual(["owner", "admin", "member"]);
    expect(WORKSPACE_ROLES.filter((r) => can(r, "manageMembers"))).toEqual(["owner", "admin"]);
    expect(WORKSPACE_ROLES.filter((r) => deleteRefusal(r, { personal: false }) === null)).toEqual(["owner"]);
    expect(deleteRefusal("owner", { personal: true })).toMatchObject({ code: "CONFLICT", field: "id" });
    expect(deleteRefusal("owner", { personal: false, liveRuns: 2 })).toMatchObject({
      code: "CONFLICT",
      field: "id",
      message: expect.stringMatching(/2 live run/),
    });
    expect(deleteRefusal("owner", { personal: false, liveRuns: 0 })).toBeNull();
    expect(WORKSPACE_ROLES.filter((r) => launchRefusal(r) === null)).toEqual(["owner", "admin", "member"]);
    expect(launchRefusal("viewer")).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/viewers/) });
  });

  it("a client holds no workspace permission, not even view; owners and admins share projects with clients", () => {
    for (const permission of Object.keys(WORKSPACE_PERMISSIONS) as WorkspacePermission[]) expect(can("client", permission)).toBe(false);
    expect(isClientRole("client")).toBe(true);
    expect(WORKSPACE_ROLES.filter((r) => shareRefusal(r) === null)).toEqual(["owner", "admin"]);
    expect(launchRefusal("client")).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/clients/) });
    expect(inviteRefusal("admin", "client", team(1))).toBeNull();
    expect(inviteRefusal("member", "client", team(1))).toMatchObject({ code: "FORBIDDEN" });
  });

  it("only an owner makes, changes or removes an owner", () => {
    for (const [a, t, r] of combos) {
      const allowed = roleChangeRefusal(actor(a), target(t), r, team(2)) === null;
      if (allowed && (r === "owner" || t === "owner")) expect(a).toBe("owner");
      if (allowed) expect(["owner", "admin"]).toContain(a);
    }
    for (const a of WORKSPACE_ROLES) {
      expect(removalRefusal(actor(a), target("owner"), team(2)) === null).toBe(a === "owner");
      expect(inviteRefusal(a, "owner", { personal: false }) === null).toBe(a === "owner");
      expect(assignableRoles(a).includes("owner")).toBe(a === "owner");
    }
    expect(assignableRoles("admin")).toEqual(["admin", "member", "viewer", "client"]);
    expect(assignableRoles("member")).toEqual([]);
  });

  it("never leaves a workspace without an owner", () => {
    for (const r of WORKSPACE_ROLES.filter((x) => x !== "owner")) {
      expect(roleChangeRefusal(actor("owner"), { userId: "actor", role: "owner" }, r, team(1))).toMatchObject({
        code: "CONFLICT",
        field: "role",
      });
      expect(roleChangeRefusal(actor("owner"), { userId: "actor", role: "owner" }, r, team(2))).toBeNull();
    }
    expect(leaveRefusal({ role: "owner" }, team(1))).toMatchObject({ code: "CONFLICT" });
    expect(leaveRefusal({ role: "owner" }, team(2))).toBeNull();
    expect(removalRefusal(actor("owner"), { userId: "actor", role: "owner" }, team(1))).toMatchObject({ code: "CONFLICT" });
    for (const r of WORKSPACE_ROLES.filter((x) => x !== "owner")) expect(leaveRefusal({ role: r }, team(1))).toBeNull();
  });

  it("keeps a personal workspace to its owner", () => {
    for (const a of WORKSPACE_ROLES) for (const r of WORKSPACE_ROLES) expect(inviteRefusal(a, r, { personal: true })).not.toBeNull();
    expect(leaveRefusal({ role: "owner" }, { personal: true, ownerCount: 1 })).toMatchObject({ code: "CONFLICT", field: "id" });
  });
});
