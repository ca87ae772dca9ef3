-- SLA clocks: a change of state waiting for its live alert (the watcher's outbox).
ALTER TABLE "deliverable_slas" ADD COLUMN "alertPending" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "deliverable_slas_alertPending_idx" ON "deliverable_slas"("alertPending");
