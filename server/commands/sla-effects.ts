// What follows opening or meeting SLA clocks, once the change has committed: the watcher's delayed
// checks at each new clock's thresholds, and the alerts of clocks met. Deliverable commands call it
// after every change (with the clocks opened, possibly none). The SLA watcher (server/jobs/deliverables)
// provides the real work; until it is in place this does nothing.
import type { OpenedSla } from "../domain/deliverables/sla";

export async function scheduleSlaChecks(slas: OpenedSla[]): Promise<void> {
  // No delayed checks yet: nothing to schedule for these clocks.
  void slas;
}
