// Admins manage the LLM credentials pool: endpoints and keys, their order, window and state. A key
// goes in sealed (server/lib/secret-box.ts) and never comes back out: views carry only a hint of
// its last characters. Which credential a call uses is ./pool.ts.
import { Prisma, type DbClient } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { sealSecret } from "../../lib/secret-box";
import { llmCredentialState, type LlmCredentialState } from "@shared/llm-credentials";

/** The purpose sealed keys are bound to (a sealed value of another purpose does not open as a key). */
export const LLM_KEY_PURPOSE = "llm-credential-api-key";

const credentialSelect = {
  id: true,
  name: true,
  baseUrl: true,
  apiKeyHint: true,
  priority: true,
  enabled: true,
  validFrom: true,
  validUntil: true,
  cooldownUntil: true,
  lastError: true,
  lastErrorAt: true,
  lastUsedAt: true,
  requestCount: true,
  rateLimitCount: true,
  tokenCount: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.LlmCredentialSelect;

type CredentialRow = Prisma.LlmCredentialGetPayload<{ select: typeof credentialSelect }>;

export interface LlmCredentialView extends Omit<CredentialRow, "tokenCount"> {
  tokenCount: number;
  /** Whether the credential sends a key (`apiKeyHint` shows its last characters). */
  hasApiKey: boolean;
  state: LlmCredentialState;
}

export interface LlmCredentialInput {
  name: string;
  baseUrl: string;
  /** Omitted on update: the key stays. Null or "": the endpoint takes no key. */
  apiKey?: string | null;
  priority?: number;
  enabled?: boolean;
  validFrom?: Date | null;
  validUntil?: Date | null;
}

function view(row: CredentialRow, now: Date): LlmCredentialView {
  return { ...row, tokenCount: Number(row.tokenCount), hasApiKey: row.apiKeyHint !== null, state: llmCredentialState(row, now) };
}

/** What an admin sees of a key: its last four characters when it is long enough to spare them. */
export function apiKeyHint(key: string): string {
  return key.length >= 16 ? `…${key.slice(-4)}` : "••••";
}

function sealedKey(apiKey: string | null | undefined, secret: string) {
  if (apiKey === undefined) return {};
  if (apiKey === null || apiKey === "") return { apiKeySealed: null, apiKeyHint: null };
  return { apiKeySealed: sealSecret(apiKey, { secret, purpose: LLM_KEY_PURPOSE }), apiKeyHint: apiKeyHint(apiKey) };
}

function checkWindow(validFrom: Date | null | undefined, validUntil: Date | null | undefined) {
  if (validFrom && validUntil && validUntil.getTime() <= validFrom.getTime()) {
    throw new AppError("BAD_REQUEST", "validUntil: must be after validFrom", { field: "validUntil" });
  }
}

function nameTaken(e: unknown, name: string): never {
  if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
    throw new AppError("CONFLICT", `name: a credential named "${name}" already exists; choose another name`, { field: "name" });
  }
  throw e;
}

const normalizeBaseUrl = (url: string) => url.replace(/\/+$/, "");

export interface LlmPoolView {
  credentials: LlmCredentialView[];
  /** The server's LLM_BASE_URL, tried after every credential (its key is never shown). */
  fallback: { baseUrl: string; hasApiKey: boolean } | null;
}

/** The pool in the order calls try it. */
export async function listLlmCredentials(
  db: DbClient,
  args: { now: Date; fallback: { baseUrl: string; apiKey?: string | undefined } | null },
): Promise<LlmPoolView> {
  const rows = await db.llmCredential.findMany({
    select: credentialSelect,
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  return {
    credentials: rows.map((r) => view(r, args.now)),
    fallback: args.fallback ? { baseUrl: args.fallback.baseUrl, hasApiKey: Boolean(args.fallback.apiKey) } : null,
  };
}

/** Adds a credential; without a priority it goes after the others. */
export async function createLlmCredential(
  db: DbClient,
  args: { input: LlmCredentialInput; secret: string; now: Date },
): Promise<LlmCredentialView> {
  const { input } = args;
  checkWindow(input.validFrom, input.validUntil);
  let priority = input.priority;
  if (priority === undefined) {
    const last = await db.llmCredential.aggregate({ _max: { priority: true } });
    priority = (last._max.priority ?? 0) + 10;
  }
  const row = await db.llmCredential
    .create({
      data: {
        name: input.name,
        baseUrl: normalizeBaseUrl(input.baseUrl),
        ...sealedKey(input.apiKey ?? null, args.secret),
        priority,
        enabled: input.enabled ?? true,
        validFrom: input.validFrom ?? null,
        validUntil: input.validUntil ?? null,
      },
      select: credentialSelect,
    })
    .catch((e: unknown) => nameTaken(e, input.name));
  return view(row, args.now);
}

/**
 * Changes what is given; `apiKey` replaces the key (null removes it), `resetCooldown` makes a
 * cooling credential usable again at once (after an admin topped up its quota).
 */
export async function updateLlmCredential(
  db: DbClient,
  args: { id: string; input: Partial<LlmCredentialInput> & { resetCooldown?: boolean }; secret: string; now: Date },
): Promise<LlmCredentialView> {
  const { input } = args;
  const current = await db.llmCredential.findUnique({ where: { id: args.id }, select: { validFrom: true, validUntil: true } });
  if (!current) throw new AppError("NOT_FOUND", "id: no LLM credential with that id", { field: "id" });
  checkWindow(
    input.validFrom === undefined ? current.validFrom : input.validFrom,
    input.validUntil === undefined ? current.validUntil : input.validUntil,
  );
  const row = await db.llmCredential
    .update({
      where: { id: args.id },
      data: {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.baseUrl === undefined ? {} : { baseUrl: normalizeBaseUrl(input.baseUrl) }),
        ...sealedKey(input.apiKey, args.secret),
        ...(input.priority === undefined ? {} : { priority: input.priority }),
        ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
        ...(input.validFrom === undefined ? {} : { validFrom: input.validFrom }),
        ...(input.validUntil === undefined ? {} : { validUntil: input.validUntil }),
        ...(input.resetCooldown ? { cooldownUntil: null } : {}),
      },
      select: credentialSelect,
    })
    .catch((e: unknown) => {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2025") {
        throw new AppError("NOT_FOUND", "id: no LLM credential with that id", { field: "id" });
      }
      return nameTaken(e, input.name ?? "");
    });
  return view(row, args.now);
}

/** Removes a credential; its usage rows stay, under its name. */
export async function deleteLlmCredential(db: DbClient, args: { id: string }): Promise<{ id: string }> {
  const { count } = await db.llmCredential.deleteMany({ where: { id: args.id } });
  if (count === 0) throw new AppError("NOT_FOUND", "id: no LLM credential with that id", { field: "id" });
  return { id: args.id };
}
