// The demo team's pipeline world: demo-policy builtin agents for the shipped templates'
// specializations (researcher, writer, reviewer, designer) and a project to start pipelines in, so
// `npm start` runs research → draft → review and the outreach pipeline (its render step on the
// local render stand-in) out of the box, and has a deliverable to review.
import type { Db } from "../lib/db";
import { PIPELINE_TEMPLATES } from "@shared/pipeline-templates";

/** The specializations of the shipped templates' agent steps (a general step takes any agent). */
export const DEMO_TEAM_SPECIALIZATIONS = [
  ...new Set(
    PIPELINE_TEMPLATES.flatMap((t) => t.steps.filter((s) => !s.externalJob && s.specialization !== "general").map((s) => s.specialization)),
  ),
];

export async function seedDemoPipelines(db: Db, input: { workspaceId: string; ownerId: string }): Promise<void> {
  for (const specialization of DEMO_TEAM_SPECIALIZATIONS) {
    await db.agent.upsert({
      where: { slug: `demo-${specialization}` },
      update: {},
      create: {
        slug: `demo-${specialization}`,
        name: `Demo ${specialization}`,
        specialization,
        model: "demo",
        policy: "demo",
        kind: "builtin",
        workspaceId: input.workspaceId,
        maxConcurrentTasks: 3,
        createdById: input.ownerId,
      },
    });
  }
  if ((await db.project.count({ where: { workspaceId: input.workspaceId, name: "Q1 outreach" } })) === 0) {
    const project = await db.project.create({
      data: {
        workspaceId: input.workspaceId,
        name: "Q1 outreach",
        brief: "Personalized video outreach to developer-tools prospects, and the articles that back it.",
        createdById: input.ownerId,
      },
      select: { id: true },
    });
    // One task a person reviews: the dispatcher gives it to the demo writer on start, and its result
    // waits in the review queue as a deliverable with its SLA clocks.
    await db.task.create({
      data: {
        projectId: project.id,
        workspaceId: input.workspaceId,
        title: "Draft the launch announcement",
        description: "A short announcement of the Q1 outreach campaign for the company blog.",
        type: "draft",
        status: "ready",
        requiredSpecialization: "writer",
        requiresReview: true,
        createdById: input.ownerId,
      },
    });
  }
}
