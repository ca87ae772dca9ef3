// Ends a run when its duration is over (a delayed job at expiresAt; the lifecycle sweep is the backstop).
import { defineJob } from "../define";
import { expireRunWhenDue } from "../../commands/run-lifecycle";
import { expireJobSpec } from "./specs";

export const expireJob = defineJob({
  ...expireJobSpec,
  handle: ({ runId }) => expireRunWhenDue(runId),
});
