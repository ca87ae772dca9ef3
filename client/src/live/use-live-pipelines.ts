// Keeps a project's pipelines and batches current: pipeline:update and batch:update reach every
// member of the workspace through their user room. Batch counts are patched in place; a pipeline
// change refetches the project's pipelines (bursts of updates cost one read per frame-second).
import { useEffect } from "react";
import { trpc } from "../trpc";
import { getSocket } from "./socket";

export function useLivePipelines(projectId: string) {
  const utils = trpc.useUtils();
  useEffect(() => {
    const socket = getSocket();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refetchSoon = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void utils.pipeline.list.invalidate({ projectId });
        void utils.pipeline.get.invalidate();
      }, 300);
    };
    const onPipeline: Parameters<typeof socket.on<"pipeline:update">>[1] = (msg) => {
      if (msg.projectId === projectId) refetchSoon();
    };
    const onBatch: Parameters<typeof socket.on<"batch:update">>[1] = (msg) => {
      if (msg.projectId !== projectId) return;
      utils.pipeline.batches.setData({ projectId }, (prev) =>
        prev?.map((b) => (b.id === msg.batchId ? { ...b, status: msg.status, counts: msg.counts } : b)),
      );
      utils.pipeline.batch.setData({ id: msg.batchId }, (prev) => (prev ? { ...prev, status: msg.status, counts: msg.counts } : prev));
    };
    // After a reconnect, whatever was missed is read again.
    const onConnect = () => {
      refetchSoon();
      void utils.pipeline.batches.invalidate({ projectId });
    };
    socket.on("pipeline:update", onPipeline);
    socket.on("batch:update", onBatch);
    socket.on("connect", onConnect);
    return () => {
      if (timer) clearTimeout(timer);
      socket.off("pipeline:update", onPipeline);
      socket.off("batch:update", onBatch);
      socket.off("connect", onConnect);
    };
  }, [projectId, utils]);
}
