import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { makeRun } from "../../domain/betting/fixtures";

async function pendingArtifact() {
  const owner = await makeUser();
  const run = await makeRun(db, { createdById: owner.id });
  return db.artifact.create({
    data: {
      runId: run.runId,
      kind: "screenshot",
      filename: "shot.png",
      contentType: "image/png",
      size: 3,
      storageKey: `${run.runId}/shot`,
    },
    select: { id: true, runId: true },
  });
}

const stored = (id: string) =>
  db.artifact.findUniqueOrThrow({ where: { id }, select: { reviewState: true, reviewNote: true, reviewedById: true, reviewedAt: true } });

describe("run.reviewArtifact", () => {
  it("records an operator's verdict, note and name", async () => {
    const artifact = await pendingArtifact();
    const operator = await makeUser({ role: "operator" });
    const reviewed = await operator.caller.run.reviewArtifact({ artifactId: artifact.id, state: "rejected", note: "blurry" });
    expect(reviewed).toMatchObject({ id: artifact.id, runId: artifact.runId, reviewState: "rejected", reviewNote: "blurry" });
    expect(await stored(artifact.id)).toMatchObject({
      reviewState: "rejected",
      reviewNote: "blurry",
      reviewedById: operator.id,
      reviewedAt: expect.any(Date),
    });

    // A later verdict replaces the earlier one, note included.
    await operator.caller.run.reviewArtifact({ artifactId: artifact.id, state: "approved" });
    expect(await stored(artifact.id)).toMatchObject({ reviewState: "approved", reviewNote: null });
  });

  it("refuses members, unknown artifacts and bad input, changing nothing", async () => {
    const artifact = await pendingArtifact();
    const member = await makeUser({ role: "member" });
    const operator = await makeUser({ role: "operator" });
    expect(await rejection(member.caller.run.reviewArtifact({ artifactId: artifact.id, state: "approved" }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await rejection(operator.caller.run.reviewArtifact({ artifactId: "no-such-artifact", state: "approved" }))).toMatchObject({
      code: "NOT_FOUND",
      field: "artifactId",
    });
    expect(await rejection(operator.caller.run.reviewArtifact({ artifactId: artifact.id, state: "pending" as "approved" }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "state",
    });
    expect(
      await rejection(operator.caller.run.reviewArtifact({ artifactId: artifact.id, state: "approved", note: "x".repeat(2001) })),
    ).toMatchObject({ code: "BAD_REQUEST", field: "note" });
    expect(await stored(artifact.id)).toMatchObject({ reviewState: "pending", reviewNote: null, reviewedById: null, reviewedAt: null });
  });
});
