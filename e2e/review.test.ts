// Browser end to end, no stand-ins: a task that requires review is done by a demo agent in a real
// run; its result arrives in the operator's review queue; the operator asks for a revision from
// the keyboard, the revision task goes back to the same agent, and its result arrives in the open
// queue as version 2 (live, no reload); the operator approves it, opens the deliverable page
// (both versions, the first with its notes, the diff between them) and delivers it.
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserDescribe, documentStillMarked, markDocument, screenshot, useBrowserStack, waitForValue } from "./support/browser";
import { serverSideOf } from "./support/server";

browserDescribe("review queue in the browser", () => {
  const stack = useBrowserStack({ env: { TASK_DISPATCH_EVERY_MS: "500", LAUNCH_BACKOFF_MS: "50", LOG_LEVEL: "warn" } });

  const entry = (page: Page, deliverableId: string) => page.locator(`[data-testid="review-item"][data-deliverable="${deliverableId}"]`);
  const entryState = async (page: Page, deliverableId: string) => {
    const item = entry(page, deliverableId);
    if ((await item.count()) === 0) return "absent";
    return `v${await item.getAttribute("data-version")} ${await item.getAttribute("data-status")}`;
  };

  /** A new operator signed in (owner of their personal workspace), with a demo agent of their own there. */
  async function operatorWithAgent(label: string, agentName: string) {
    const { page, errors, who } = await stack.signedUp(label, { viewport: { width: 1400, height: 1000 } });
    const { db, user, caller, workspaceId } = await serverSideOf(who);
    const agent = await db.agent.create({
      data: {
        slug: `${label.toLowerCase()}-${workspaceId}`,
        name: agentName,
        model: "demo",
        policy: "demo",
        workspaceId,
        maxConcurrentTasks: 2,
      },
    });
    return { db, page, errors, user, caller, workspaceId, agent };
  }

  it("an operator asks for a revision, sees version 2 arrive live, approves and delivers it", async () => {
    const { db, page, errors, user, caller, workspaceId, agent } = await operatorWithAgent("Reviewer", "Demo writer");
    const project = await caller.project.create({ workspaceId, name: "Launch", brief: "the launch of the spring range" });
    const task = await caller.task.create({
      projectId: project.id,
      title: "Write the launch note",
      description: "Half a page announcing the spring range.",
      requiresReview: true,
    });
    await caller.task.dispatch({ id: task.id, agentId: agent.id });

    // The operator's queue, opened from the navigation before the result exists.
    await page.getByRole("link", { name: "Review", exact: true }).click();
    await page.getByRole("heading", { name: "Review queue" }).waitFor();
    await markDocument(page);

    const deliverable = await waitForValue(
      () => db.deliverable.findUnique({ where: { taskId: task.id }, select: { id: true } }),
      (d) => d !== null,
      "the task's result to become a deliverable",
      120_000,
    );
    const id = deliverable!.id;
    await waitForValue(
      () => entryState(page, id),
      (s) => s === "v1 review",
      "version 1 in the queue",
    );
    expect(await entry(page, id).getByTestId("version-text").textContent()).toBeTruthy();
    // The run's screenshots, inline, served by the artifact route.
    const images = entry(page, id).getByRole("list", { name: "Images" }).locator("img");
    await images.first().waitFor();
    await waitForValue(
      () => images.first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      (loaded) => loaded,
      "the first image to load",
    );

    // From the keyboard: r opens the notes for the current (only) deliverable.
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ state: "hidden" });
    await page.keyboard.press("r");
    const notes = entry(page, id).getByRole("textbox", { name: "Revision notes" });
    await notes.waitFor();
    // Typing in the notes is not a shortcut: had its "a" or "d" approved or delivered version 1, the
    // revision request would be refused and version 1 would not hold the notes below.
    await notes.pressSequentially("Name the three colours and add a date.");
    await entry(page, id).getByRole("button", { name: "Request revision" }).last().click();

    // The revision goes to the same agent; its result arrives as version 2, live.
    const revision = await waitForValue(
      () => db.task.findFirst({ where: { parentTaskId: task.id, type: "revision" }, select: { id: true, requestedAgentId: true } }),
      (t) => t !== null,
      "the revision task",
    );
    expect(revision!.requestedAgentId).toBe(agent.id);
    await waitForValue(
      () => entryState(page, id),
      (s) => s === "v2 review",
      "version 2 to arrive in the open queue",
      150_000,
    );
    const v1 = await db.deliverableVersion.findFirstOrThrow({ where: { deliverableId: id, number: 1 } });
    expect(v1).toMatchObject({ status: "rejected", notes: "Name the three colours and add a date.", decidedById: user.id });
    const v2 = await db.deliverableVersion.findFirstOrThrow({ where: { deliverableId: id, number: 2 } });
    expect(v2).toMatchObject({ taskId: revision!.id, agentId: agent.id, status: "review" });

    // a approves the current deliverable.
    await page.keyboard.press("a");
    await waitForValue(
      () => entryState(page, id),
      (s) => s === "v2 approved",
      "version 2 approved",
    );
    await screenshot(page, "review-queue");

    // The deliverable page: both versions, the first with its notes, the diff; deliver from there.
    // The demo agent writes the same summary every time: version 1 gets other text, so that the
    // diff has something to show.
    await db.deliverableVersion.update({
      where: { id: v1.id },
      data: { body: "Reached the target: steps = 2 of 3.\nA line that went away." },
    });
    await entry(page, id).getByRole("link", { name: "Write the launch note" }).click();
    const detail = page.getByTestId("deliverable-page");
    await detail.waitFor();
    expect(await page.locator('[data-testid="version"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-number")))).toEqual([
      "2",
      "1",
    ]);
    expect(await page.locator('[data-testid="version"][data-number="1"]').getAttribute("data-status")).toBe("rejected");
    expect(await page.getByTestId("version-notes").textContent()).toContain("Name the three colours");
    const diff = page.getByTestId("version-diff");
    await diff.waitFor();
    expect(await diff.locator('[data-testid="diff-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")))).toEqual([
      "removed",
      "removed",
      "added",
    ]);
    expect(await diff.locator("del").allTextContents()).toEqual(["2"]);
    expect(await diff.locator("ins").allTextContents()).toEqual(["3"]);
    expect(await diff.getByTestId("diff-stats").textContent()).toBe("1 line added, 2 removed");
    expect(await page.getByTestId("activity").textContent()).toContain("revision requested");
    await page.getByTestId("decide").getByRole("button", { name: "Deliver" }).click();
    await waitForValue(
      () => detail.getAttribute("data-status"),
      (s) => s === "delivered",
      "the deliverable page to show it delivered",
    );
    expect(await db.deliverable.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "delivered", deliveredById: user.id });
    expect(await db.task.findUniqueOrThrow({ where: { id: task.id }, select: { status: true } })).toEqual({ status: "done" });
    await screenshot(page, "deliverable");

    // Back in the queue, nothing awaits any more; no reload happened along the way.
    await page.getByRole("link", { name: "Review queue" }).click();
    await waitForValue(
      () => entryState(page, id),
      (s) => s === "absent",
      "the delivered deliverable to leave the queue",
      60_000,
    );
    expect(await documentStillMarked(page)).toBe(true);
    expect(errors).toEqual([]);
  }, 420_000);

  it("moves through the queue with j and k, and delivers a selection at once", async () => {
    const { db, page, errors, caller, workspaceId, agent } = await operatorWithAgent("Batch", "Demo designer");
    const project = await caller.project.create({ workspaceId, name: "Print" });
    const tasks = [];
    for (const title of ["Poster", "Flyer"]) {
      const task = await caller.task.create({ projectId: project.id, title, requiresReview: true });
      await caller.task.dispatch({ id: task.id, agentId: agent.id });
      tasks.push(task);
    }

    await page.getByRole("link", { name: "Review", exact: true }).click();
    const items = page.getByTestId("review-item");
    await waitForValue(
      () => items.count(),
      (n) => n === 2,
      "both results in the queue",
      120_000,
    );
    const current = () => page.locator('[data-testid="review-item"][aria-current="true"]').getAttribute("data-deliverable");
    const ids = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-deliverable")));
    expect(await current()).toBe(ids[0]);
    await page.keyboard.press("j");
    await waitForValue(current, (c) => c === ids[1], "j to move to the second");
    await page.keyboard.press("k");
    await waitForValue(current, (c) => c === ids[0], "k to move back to the first");

    await page.getByRole("checkbox", { name: "All", exact: true }).check();
    await page.getByRole("button", { name: "Deliver selected" }).click();
    await waitForValue(
      () => items.count(),
      (n) => n === 0,
      "the queue to empty",
    );
    const delivered = await db.deliverable.findMany({ where: { taskId: { in: tasks.map((t) => t.id) } }, select: { status: true } });
    expect(delivered).toEqual([{ status: "delivered" }, { status: "delivered" }]);
    expect(errors).toEqual([]);
  }, 300_000);
});
