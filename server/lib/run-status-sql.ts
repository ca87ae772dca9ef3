// Run status lists for SQL, built from shared/run-status.ts so no query spells a status set of
// its own. Written as literals, not parameters: the values are the code's own constants, and a
// literal list plans exactly like the hand-written one it replaced.
import { Prisma } from "../generated/prisma/client";
import type { RunStatus } from "@shared/run-status";

/** `('booting', 'running')`, for SQL kept as a string (the pg pool). */
export const statusListText = (statuses: readonly RunStatus[]): string => `(${statuses.map((s) => `'${s}'`).join(", ")})`;

/** The same list in a Prisma tagged template: `status IN ${statusList(STARTED_RUN_STATUSES)}`. */
export const statusList = (statuses: readonly RunStatus[]): Prisma.Sql => Prisma.raw(statusListText(statuses));
