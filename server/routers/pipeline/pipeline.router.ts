// pipeline.*: templates, start one pipeline or a batch, cancel one, and read them. Thin: parse, call one
// command or domain function, return.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { PIPELINE_TEMPLATES } from "@shared/pipeline-templates";
import { cancelPipeline, startBatch, startPipeline } from "../../commands/pipelines";
import { getBatch, getPipeline, listBatches, listPipelines } from "../../domain/pipelines/queries";
import { listPipelinesInput, pipelineIdInput, projectIdInput, startBatchInput, startPipelineInput } from "./pipeline.schema";

export const pipelineRouter = createTRPCRouter({
  templates: protectedProcedure.query(() => PIPELINE_TEMPLATES),

  start: protectedProcedure.input(startPipelineInput).mutation(({ ctx, input }) => startPipeline({ userId: ctx.user.id }, input)),

  cancel: protectedProcedure.input(pipelineIdInput).mutation(({ ctx, input }) => cancelPipeline({ userId: ctx.user.id }, input)),

  get: protectedProcedure.input(pipelineIdInput).query(({ ctx, input }) => getPipeline(db, { userId: ctx.user.id }, input.id)),

  list: protectedProcedure.input(listPipelinesInput).query(({ ctx, input }) => listPipelines(db, { userId: ctx.user.id }, input)),

  startBatch: protectedProcedure.input(startBatchInput).mutation(({ ctx, input }) => startBatch({ userId: ctx.user.id }, input)),

  batch: protectedProcedure.input(pipelineIdInput).query(({ ctx, input }) => getBatch(db, { userId: ctx.user.id }, input.id)),

  batches: protectedProcedure.input(projectIdInput).query(({ ctx, input }) => listBatches(db, { userId: ctx.user.id }, input.projectId)),
});
