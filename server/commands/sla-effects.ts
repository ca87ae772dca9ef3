// What follows an SLA clock's opening, once it has committed: the watcher's delayed checks at the
// clock's thresholds. The SLA watcher (server/jobs/deliverables) provides the real scheduling; until
// it is in place this does nothing, and open clocks are only as current as the watcher's sweep.
import type { OpenedSla } from "../domain/deliverables/sla";

export async function scheduleSlaChecks(slas: OpenedSla[]): Promise<void> {
  // No delayed checks yet: nothing to schedule for these clocks.
  void slas;
}
