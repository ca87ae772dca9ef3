// agent.*: the registry of a workspace's agents and the site-wide builtins; keys and the webhook
// delivery log of external agents. Who may do what: server/domain/agents/agents.ts.
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { createAgent, getAgent, listAgents, updateAgent } from "../../domain/agents/agents";
import { createAgentKey } from "../../domain/agents/keys";
import { listDeliveries } from "../../domain/agents/webhooks";
import { archiveAgent, replayDelivery, revokeAgentKey } from "../../commands/agents";
import {
  agentListInput,
  createAgentInput,
  createKeyInput,
  deliveriesInput,
  idSchema,
  replayDeliveryInput,
  revokeKeyInput,
  updateAgentInput,
} from "@shared/work";

const actor = (ctx: { user: { id: string; role: "member" | "operator" | "admin" } }) => ({ userId: ctx.user.id, role: ctx.user.role });

export const agentRouter = createTRPCRouter({
  list: protectedProcedure.input(agentListInput).query(({ ctx, input }) => listAgents(db, { userId: ctx.user.id, ...input })),

  get: protectedProcedure.input(z.object({ id: idSchema })).query(({ ctx, input }) => getAgent(db, actor(ctx), input.id)),

  /** workspaceId null: a site-wide builtin agent (site operators and admins only). */
  create: protectedProcedure
    .input(createAgentInput.extend({ workspaceId: idSchema.nullable() }))
    .mutation(({ ctx, input }) => createAgent(db, actor(ctx), input)),

  update: protectedProcedure.input(updateAgentInput).mutation(({ ctx, input }) => updateAgent(db, actor(ctx), input)),

  archive: protectedProcedure.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => archiveAgent(actor(ctx), input)),

  /** The `pk_…` key and the `whsec_…` signing secret are in this answer only: store them now. */
  createKey: protectedProcedure.input(createKeyInput).mutation(({ ctx, input }) => createAgentKey(db, actor(ctx), input)),

  revokeKey: protectedProcedure.input(revokeKeyInput).mutation(({ ctx, input }) => revokeAgentKey(actor(ctx), input)),

  deliveries: protectedProcedure.input(deliveriesInput).query(({ ctx, input }) => listDeliveries(db, actor(ctx), input)),

  replayDelivery: protectedProcedure.input(replayDeliveryInput).mutation(({ ctx, input }) => replayDelivery(actor(ctx), input)),
});
