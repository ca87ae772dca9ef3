// Project commands: a changed deadline re-derives open tasks' priorities, and those tasks are published.
import { db } from "../lib/db";
import type { UpdateProjectInput } from "@shared/work";
import { updateProject as updateProjectTx } from "../domain/projects";
import { changeSelect } from "../domain/tasks/tasks";
import { afterTaskChanges, wakeDispatch } from "./tasks";

export async function updateProject(input: UpdateProjectInput & { userId: string }) {
  const { project, reprioritized } = await updateProjectTx(db, { ...input, now: new Date() });
  if (reprioritized.length > 0) {
    await afterTaskChanges(await db.task.findMany({ where: { id: { in: reprioritized.map((t) => t.id) } }, select: changeSelect }));
  }
  // A project made active again may have dispatchable tasks.
  if (input.status === "active") await wakeDispatch();
  return project;
}
