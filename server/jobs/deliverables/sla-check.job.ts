// A clock's check at its exact threshold (at risk, due), enqueued as a delayed job when the clock
// opens (scheduleSlaChecks). Moves that clock if its time has come; when another transaction held
// it and it is still past its threshold, fails so BullMQ retries (the sweep is the backstop).
import { defineJob } from "../define";
import { advanceSlaClocks } from "../../commands/sla";
import { slaCheckJobSpec } from "./specs";

export const slaCheckJob = defineJob({
  ...slaCheckJobSpec,
  async handle(data) {
    const result = await advanceSlaClocks({ slaId: data.slaId });
    if (result.stillDue) throw new Error(`SLA clock ${data.slaId} is past its threshold but was held by another transaction`);
    return result;
  },
});
