// Browser end to end: a project's task board and pipeline graph stay current without a reload —
// a pipeline started elsewhere puts its steps on the board, and a step's task moving on (through
// the same path every task change takes: afterTaskChanges → task:update) moves its card.
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserDescribe, documentStillMarked, markDocument, screenshot, useBrowserStack, waitForValue } from "./support/browser";
import { serverSideOf } from "./support/server";

browserDescribe("task board in the browser", () => {
  const stack = useBrowserStack();

  const cardStatus = (page: Page, taskId: string) =>
    page.locator(`[data-testid="task-card"][data-task="${taskId}"]`).getAttribute("data-status");

  it("shows a pipeline's steps on the board and moves their cards live", async () => {
    const { page, errors, who } = await stack.signedUp("Board", { viewport: { width: 1400, height: 900 } });

    const { db, caller, workspaceId } = await serverSideOf(who);
    const { afterTaskChanges } = await import("../server/commands/tasks");
    const { changeSelect } = await import("../server/domain/tasks/tasks");
    const project = await caller.project.create({ workspaceId, name: "Board project", brief: "watch it move" });

    await page.getByRole("link", { name: "Projects" }).click();
    await page.getByRole("link", { name: "Board project" }).click();
    await page.getByTestId("task-board").waitFor();
    await markDocument(page);

    // This test moves the steps by hand: no agent may take them (the built-in researcher would).
    await db.agent.updateMany({ data: { active: false } });

    // Started elsewhere (another member, a script): the steps appear on this board.
    const { id, taskIds } = await caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "boards" },
    });
    await waitForValue(
      () => cardStatus(page, taskIds.research!),
      (s) => s === "ready",
      "the research card on the board",
    );
    await page.locator(`[data-testid="pipeline-graph"][data-pipeline="${id}"]`).waitFor();

    // The research step's task finishes: its card moves to Done, the graph follows.
    await db.task.update({
      where: { id: taskIds.research! },
      data: { status: "done", resultSummary: "the research brief", finishedAt: new Date() },
    });
    await afterTaskChanges([await db.task.findUniqueOrThrow({ where: { id: taskIds.research! }, select: changeSelect })]);
    await waitForValue(
      () => cardStatus(page, taskIds.research!),
      (s) => s === "done",
      "the research card to move to done",
    );
    expect(await page.locator('[data-testid="column-done"] [data-testid="task-card"]').count()).toBe(1);
    await waitForValue(
      () => page.locator('[data-testid="pipeline-step"][data-step="research"]').getAttribute("data-status"),
      (s) => s === "done",
      "the graph's research step to be done",
    );

    // The draft fails for good: the review is stopped, both cards move, no reload happened.
    await db.task.update({ where: { id: taskIds.draft! }, data: { status: "failed", error: "gave up", finishedAt: new Date() } });
    await afterTaskChanges([await db.task.findUniqueOrThrow({ where: { id: taskIds.draft! }, select: changeSelect })]);
    await waitForValue(
      () => cardStatus(page, taskIds.review!),
      (s) => s === "canceled",
      "the review card to be stopped",
    );
    expect(await cardStatus(page, taskIds.draft!)).toBe("failed");
    await waitForValue(
      () => page.locator(`[data-testid="pipeline-graph"][data-pipeline="${id}"]`).getAttribute("data-status"),
      (s) => s === "failed",
      "the pipeline graph to show the pipeline failed",
    );
    expect(await page.locator('[data-testid="pipeline-step"][data-step="review"]').getAttribute("data-status")).toBe("canceled");
    expect(await documentStillMarked(page)).toBe(true);
    await screenshot(page, "task-board");
    expect(errors).toEqual([]);
  }, 120_000);
});
