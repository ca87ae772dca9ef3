// The two billing settings that are JSON: the credit packs on sale and the plans' prices and limits.
//   BILLING_PACKS='[{"id":"starter","name":"Starter","priceCents":1000,"credits":1000}]'  (replaces the list)
//   BILLING_PLANS='{"pro":{"priceCents":14900,"liveRuns":30,"stripePriceId":"price_123"}}' (overrides per plan)
import { z } from "zod";
import { DEFAULT_PACKS, DEFAULT_PLANS, PLAN_IDS, type CreditPack, type Plan, type PlanId } from "@shared/billing";

const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "must be valid JSON" });
    return z.NEVER;
  }
});

const cents = z.number().int().min(1).max(100_000_000);

const packSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, "pack ids are 1-40 lower-case letters, digits and '-'"),
  name: z.string().min(1).max(60),
  priceCents: cents,
  credits: cents,
});

export const billingPacksSetting = json
  .pipe(
    z
      .array(packSchema)
      .min(1)
      .refine((packs) => new Set(packs.map((p) => p.id)).size === packs.length, "pack ids must be unique"),
  )
  .optional()
  .transform((packs): CreditPack[] => packs ?? DEFAULT_PACKS);

const planOverride = z
  .object({
    name: z.string().min(1).max(40),
    priceCents: z.number().int().min(0),
    stripePriceId: z.string().min(1),
    liveRuns: z.number().int().min(0),
    deliverablesPerMonth: z.number().int().min(0),
    revisionsPerDeliverable: z.number().int().min(0),
  })
  .partial()
  .strict();

export const billingPlansSetting = json
  .pipe(z.partialRecord(z.enum(PLAN_IDS), planOverride))
  .optional()
  .transform((overrides): Record<PlanId, Plan> => {
    const plans = { ...DEFAULT_PLANS };
    for (const id of PLAN_IDS) {
      const o = overrides?.[id];
      if (o) plans[id] = { ...plans[id], ...o, id };
    }
    return plans;
  });
