// Which credential an LLM call uses, what a refusal does to it, and what an answer costs. The
// bridge (server/bridge/llm-proxy.ts) asks for the next credential, calls it, and reports back: a
// rate limit or quota refusal cools the credential down (honouring Retry-After) and the same
// request goes to the next one, until one answers or none is left. The server's LLM_BASE_URL is the
// implicit last credential: it has no row, so it is never cooled down, only reported.
import type { Db, DbClient } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { openSecret, SecretUnreadable } from "../../lib/secret-box";
import { spendCredits } from "../runs/credits";
import { LLM_KEY_PURPOSE } from "./credentials";

/** Where one attempt goes. `credentialId` is null for the server's own LLM_BASE_URL. */
export interface LlmEndpoint {
  /** Unique within one call's attempts: the credential's id, or "env". */
  key: string;
  credentialId: string | null;
  name: string;
  baseUrl: string;
  apiKey: string | undefined;
}

export const ENV_ENDPOINT_NAME = "LLM_BASE_URL";

export interface LlmCooldown {
  name: string;
  until: Date;
}

export type NextLlmCredential =
  | { endpoint: LlmEndpoint }
  | {
      endpoint: null;
      /** Untried credentials that are cooling down, soonest first. */
      cooling: LlmCooldown[];
      /** Untried credentials whose window opens later, soonest first. */
      scheduled: { name: string; from: Date }[];
      /** Whether any credential exists at all (enabled or not), or the server's fallback. */
      anyConfigured: boolean;
    };

/**
 * The credential the next attempt uses: enabled, inside its window, not cooling down, not tried in
 * this call, lowest priority first — chosen in one statement, so a cooldown committed by another
 * call is seen — or, when none is, the server's fallback once. A key that no longer opens (AUTH_SECRET
 * changed) cools its credential down with that error, and the next one is taken.
 */
export async function nextLlmCredential(
  db: DbClient,
  args: {
    now: Date;
    tried: readonly string[];
    secret: string;
    cooldownSeconds: number;
    fallback: { baseUrl: string; apiKey?: string | undefined } | null;
  },
): Promise<NextLlmCredential> {
  const { now } = args;
  const tried = [...args.tried];
  for (;;) {
    const row = await db.llmCredential.findFirst({
      where: {
        id: { notIn: tried },
        enabled: true,
        AND: [
          { OR: [{ validFrom: null }, { validFrom: { lte: now } }] },
          { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
          { OR: [{ cooldownUntil: null }, { cooldownUntil: { lte: now } }] },
        ],
      },
      select: { id: true, name: true, baseUrl: true, apiKeySealed: true },
      orderBy: [{ priority: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    });
    if (!row) break;
    try {
      const apiKey =
        row.apiKeySealed === null ? undefined : openSecret(row.apiKeySealed, { secret: args.secret, purpose: LLM_KEY_PURPOSE });
      return { endpoint: { key: row.id, credentialId: row.id, name: row.name, baseUrl: row.baseUrl, apiKey } };
    } catch (e) {
      if (!(e instanceof SecretUnreadable)) throw e;
      tried.push(row.id);
      await coolDownLlmCredential(db, {
        id: row.id,
        now,
        until: new Date(now.getTime() + args.cooldownSeconds * 1000),
        error: "its API key cannot be read: it was saved under another AUTH_SECRET; enter the key again",
        rateLimited: false,
      });
    }
  }
  if (args.fallback && !tried.includes("env")) {
    return {
      endpoint: { key: "env", credentialId: null, name: ENV_ENDPOINT_NAME, baseUrl: args.fallback.baseUrl, apiKey: args.fallback.apiKey },
    };
  }
  const rest = await db.llmCredential.findMany({
    where: { id: { notIn: tried }, enabled: true, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    select: { name: true, validFrom: true, cooldownUntil: true },
  });
  const cooling = rest
    .filter((c) => c.cooldownUntil && c.cooldownUntil > now && !(c.validFrom && c.validFrom > now))
    .map((c) => ({ name: c.name, until: c.cooldownUntil! }))
    .sort((a, b) => a.until.getTime() - b.until.getTime());
  const scheduled = rest
    .filter((c) => c.validFrom && c.validFrom > now)
    .map((c) => ({ name: c.name, from: c.validFrom! }))
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  const anyConfigured = args.fallback !== null || tried.length > 0 || (await db.llmCredential.count({ take: 1 })) > 0;
  return { endpoint: null, cooling, scheduled, anyConfigured };
}

/**
 * Puts a credential in cooldown until `until` (never shortening a longer one already set) and
 * records why. Returns the cooldown now in force, or null if the credential is gone.
 */
export async function coolDownLlmCredential(
  db: DbClient,
  args: { id: string; now: Date; until: Date; error: string; rateLimited: boolean },
): Promise<Date | null> {
  const rows = await db.$queryRaw<{ cooldownUntil: Date }[]>`
    UPDATE llm_credentials
       SET "cooldownUntil" = GREATEST(COALESCE("cooldownUntil", ${args.until}), ${args.until}),
           "lastError" = ${args.error.slice(0, 500)}, "lastErrorAt" = ${args.now},
           "requestCount" = "requestCount" + 1,
           "rateLimitCount" = "rateLimitCount" + ${args.rateLimited ? 1 : 0},
           "updatedAt" = ${args.now}
     WHERE id = ${args.id}
    RETURNING "cooldownUntil"`;
  return rows[0]?.cooldownUntil ?? null;
}

/** A failed attempt that is not the credential's fault to cool down for (the endpoint erred or timed out). */
export async function recordLlmFailure(db: DbClient, args: { id: string; now: Date; error: string }): Promise<void> {
  await db.llmCredential.updateMany({
    where: { id: args.id },
    data: { lastError: args.error.slice(0, 500), lastErrorAt: args.now, requestCount: { increment: 1 } },
  });
}

/**
 * Before an LLM call of a run that serves a task's attempt: refused once the attempt has used its
 * token budget (its agent's taskTokenBudget when it was dispatched). A call started under the budget
 * may end past it (its size is known only from the answer); the next one is refused.
 */
export async function assertWithinTokenBudget(db: DbClient, runId: string): Promise<void> {
  const attempt = await db.taskAttempt.findUnique({ where: { runId }, select: { tokenBudget: true, tokensUsed: true } });
  if (!attempt || attempt.tokenBudget === null || attempt.tokensUsed < attempt.tokenBudget) return;
  throw new AppError(
    "TOKEN_BUDGET_EXCEEDED",
    `this task's attempt has used ${attempt.tokensUsed} LLM tokens of the ${attempt.tokenBudget} its agent's per-task token budget allows: no more LLM calls for it (an operator may raise the agent's taskTokenBudget for the next attempt)`,
    { details: { tokenBudget: attempt.tokenBudget, tokensUsed: attempt.tokensUsed } },
  );
}

export interface LlmTokens {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** The endpoint reported no usage: the total is estimated. */
  estimated: boolean;
}

/**
 * An answered call, in one transaction: the run pays `costCents` (as far as its budget goes), a
 * usage row records the tokens for the run, its agent and the credential, and the
 * credential's counters grow. If the run can no longer pay (it ended meanwhile), the usage is still
 * recorded, at no charge, and the refusal is thrown.
 */
export async function chargeLlmCall(
  db: Db,
  args: {
    runId: string;
    agentId: string;
    model: string;
    endpoint: Pick<LlmEndpoint, "credentialId" | "name">;
    tokens: LlmTokens;
    costCents: number;
    attempts: number;
    now: Date;
  },
): Promise<{ creditsRemaining: number | null }> {
  const record = async (tx: DbClient, charged: number) => {
    // Last in the transaction: the credential's row is shared by every call using it.
    const credentialId = args.endpoint.credentialId;
    const kept = credentialId
      ? await tx.llmCredential.updateMany({
          where: { id: credentialId },
          data: { requestCount: { increment: 1 }, tokenCount: { increment: args.tokens.totalTokens }, lastUsedAt: args.now },
        })
      : { count: 0 };
    // The task attempt the run serves, if any, counts the tokens against its agent's per-task budget.
    await tx.taskAttempt.updateMany({ where: { runId: args.runId }, data: { tokensUsed: { increment: args.tokens.totalTokens } } });
    await tx.llmUsage.create({
      data: {
        runId: args.runId,
        agentId: args.agentId,
        credentialId: kept.count > 0 ? credentialId : null,
        credentialName: args.endpoint.name,
        model: args.model,
        ...args.tokens,
        costCents: charged,
        attempts: args.attempts,
      },
    });
  };
  try {
    return await db.$transaction(async (tx) => {
      if (args.costCents <= 0) {
        await record(tx, 0);
        return { creditsRemaining: null };
      }
      // Locked first, as spendCredits would: what it charged is the difference.
      const [before] = await tx.$queryRaw<{ creditsSpent: number }[]>`
        SELECT "creditsSpent" FROM runs WHERE id = ${args.runId} FOR UPDATE`;
      const spent = await spendCredits(tx, {
        runId: args.runId,
        amount: args.costCents,
        reason: `LLM ${args.model}: ${args.tokens.totalTokens} tokens`,
        upToRemaining: true,
      });
      await record(tx, spent.creditsSpent - (before?.creditsSpent ?? 0));
      return { creditsRemaining: spent.creditsRemaining };
    });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    await record(db, 0);
    throw e;
  }
}
