// Input schemas of the billing procedures: shapes only; who may do what is the domain's rule.
import { z } from "zod";
import { PAID_PLAN_IDS } from "@shared/billing";
import { cursorPageInput } from "@shared/schemas";

const id = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");

export const checkoutInput = z.object({ packId: z.string().min(1, "must not be empty").max(40, "must be at most 40 characters") });
export const workspaceBillingInput = z.object({ workspaceId: id });
export const subscribeInput = z.object({ workspaceId: id, plan: z.enum(PAID_PLAN_IDS, `must be one of ${PAID_PLAN_IDS.join(", ")}`) });
export const eventsInput = cursorPageInput.extend({ type: z.string().max(100).optional() });
