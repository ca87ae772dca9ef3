// Browser end to end: a client signs in, finds the project a team shared with them in the portal,
// sees its delivered deliverable (and not the one still in review), rates it, and talks with the
// team in the project's thread, live both ways; a delivery made meanwhile appears without a reload. The deliverables are written as rows here (the
// review flow that makes them has its own tests).
import { expect, it } from "vitest";
import { browserDescribe, documentStillMarked, markDocument, person, screenshot, useBrowserStack, waitForValue } from "./support/browser";

browserDescribe("client portal in the browser", () => {
  const stack = useBrowserStack();

  it("shows a client their delivered work, takes their rating, and carries messages both ways live", async () => {
    const { page, errors, who: clientPerson } = await stack.signedUp("Client", { viewport: { width: 1300, height: 900 } });

    const { db } = await import("../server/lib/db");
    const { createCaller } = await import("../server/trpc/root");
    const { createContextInner } = await import("../server/trpc/context");
    const { registerUser } = await import("../server/domain/users");
    const { makeDeliverable } = await import("../server/domain/portal/fixtures");
    const team = person("Team");
    const owner = await registerUser(db, { email: team.email, name: team.name, password: team.password, signupGrantCents: 0 });
    const caller = createCaller(createContextInner({ user: { id: owner.id, role: owner.role } }));
    const workspaceId = (await caller.workspace.create({ name: "Studio" })).id;
    const project = await caller.project.create({ workspaceId, name: "Launch copy", brief: "Words for the launch" });
    await caller.project.share({ projectId: project.id, email: clientPerson.email });
    const agent = await caller.agent.create({ workspaceId, name: "Copywriter", kind: "external" });
    const delivered = await makeDeliverable(db, {
      projectId: project.id,
      createdById: owner.id,
      agentId: agent.id,
      title: "Homepage headline",
      versions: [
        { status: "rejected", body: "A first try the team sent back" },
        { status: "delivered", body: "Ship agents that deliver." },
      ],
    });
    const inReview = await makeDeliverable(db, {
      projectId: project.id,
      createdById: owner.id,
      title: "Pricing page",
      versions: [{ status: "review" }],
    });

    await page.goto(`${stack.url}/portal`);
    await page.getByRole("link", { name: "Launch copy" }).click();
    await page.getByTestId("portal-project").waitFor();
    await page.getByRole("heading", { name: "Homepage headline" }).waitFor();
    expect(await page.getByText("Pricing page").count()).toBe(0);
    await markDocument(page);

    await page.getByRole("button", { name: "Open Homepage headline" }).click();
    await page.getByText("Ship agents that deliver.").waitFor();
    expect(await page.getByText("A first try the team sent back").count()).toBe(0);
    await page.getByRole("radio", { name: "4" }).check();
    await page.getByLabel("Comment (optional)").fill("Sharp and short");
    await page.getByRole("button", { name: "Send rating" }).click();
    await page.getByTestId("my-rating").waitFor();
    expect(await page.getByTestId("my-rating").textContent()).toContain("4/5");
    const row = await db.deliverable.findUniqueOrThrow({ where: { id: delivered.id } });
    expect(row).toMatchObject({ rating: 4, ratingComment: "Sharp and short" });
    expect(await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).toMatchObject({ ratingSum: 4, ratingCount: 1 });

    // The team writes (elsewhere): the client's thread shows it without a reload.
    await caller.message.post({ projectId: project.id, body: "A second headline is on its way" });
    await page.getByTestId("thread").getByText("A second headline is on its way").waitFor({ timeout: 15_000 });
    // The client answers from the page.
    await page.getByLabel("Your message").fill("Looking forward to it");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await waitForValue(
      async () => (await caller.message.list({ projectId: project.id })).messages.map((m) => m.body),
      (bodies) => bodies.includes("Looking forward to it"),
      "the client's message in the thread",
    );
    // The team delivers the page that was in review: it joins the client's deliveries without a reload.
    await caller.deliverable.deliver({ id: inReview.id });
    await page.getByRole("heading", { name: "Pricing page" }).waitFor({ timeout: 15_000 });
    expect(await documentStillMarked(page)).toBe(true);
    await screenshot(page, "portal");
    expect(errors).toEqual([]);
  });
});
