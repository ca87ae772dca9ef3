// Every setting Paddock reads from the environment, parsed once. Nothing else reads process.env.
import { z } from "zod";
import { isIP } from "node:net";
import { emailSchema, INT4_MAX } from "@shared/schemas";
import { localAuthSecret } from "./lib/local-secret";
import { billingPacksSetting, billingPlansSetting } from "./billing/settings";

const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
/** A size such as `4mb`, `512kb` or `1048576` (bytes), as a number of bytes (units of 1,024, as body-parser reads them). */
const byteSize = (def: string) =>
  z
    .string()
    .default(def)
    .transform((value, ctx) => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
      if (!m) {
        ctx.addIssue({ code: "custom", message: "must be a size such as 4mb, 512kb or a number of bytes" });
        return z.NEVER;
      }
      return Math.floor(Number(m[1]) * UNIT_BYTES[(m[2] ?? "b").toLowerCase()]!);
    });

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: int(3000, 0).pipe(z.number().max(65535)),
    // Loopback unless told otherwise: a public address is a choice (compose sets HOST=0.0.0.0).
    HOST: z.string().default("127.0.0.1"),
    // Which proxies may set X-Forwarded-For (Express's "trust proxy"): false, true, a hop count
    // or a comma-separated list of addresses/subnets. Off by default, so no client picks its address.
    TRUST_PROXY: z
      .string()
      .default("false")
      .transform((v, ctx) => {
        if (v === "true" || v === "false") return v === "true";
        if (/^\d+$/.test(v)) return Number(v);
        const named = ["loopback", "linklocal", "uniquelocal"];
        const bad = v
          .split(",")
          .map((s) => s.trim())
          .find((s) => !named.includes(s) && !isIP(s.split("/")[0]!));
        if (bad !== undefined) {
          ctx.addIssue({ code: "custom", message: `must be true, false, a hop count or a list of addresses/subnets ("${bad}" is none)` });
          return z.NEVER;
        }
        return v;
      }),
    PUBLIC_URL: z.url().optional(),
    PADDOCK_ROLE: z.enum(["all", "api", "worker"]).default("all"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    DB_POOL_MAX: int(20, 1),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL"),
    // Prefix of every Redis key Paddock writes (queues, rate limits, pub/sub channels).
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]+$/, "letters, digits, ':', '_' and '-' only")
      .default("paddock"),

    AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    // The account with this email is admin: when it signs up, or at boot if it exists.
    ADMIN_EMAIL: emailSchema.optional(),
    AUTH_GITHUB_ID: z.string().optional(),
    AUTH_GITHUB_SECRET: z.string().optional(),
    AUTH_GOOGLE_ID: z.string().optional(),
    AUTH_GOOGLE_SECRET: z.string().optional(),

    SIGNUP_GRANT_CENTS: int(100_000),
    // Days a workspace invitation link stays valid.
    WORKSPACE_INVITE_TTL_DAYS: int(7, 1),
    RATE_LIMIT_AUTH_PER_MINUTE: int(30, 1),
    RATE_LIMIT_WRITE_PER_MINUTE: int(600, 1),
    // tRPC queries per client; the aggregate queries count several each (server/trpc/call-limits.ts).
    RATE_LIMIT_READ_PER_MINUTE: int(1_200, 1),

    DATA_DIR: z.string().default(".data"),
    ARTIFACT_MAX_BYTES: int(10 * 1024 * 1024, 1),
    ARTIFACT_MAX_PER_RUN: int(1_000, 1),
    ARTIFACT_MAX_BYTES_PER_RUN: int(256 * 1024 * 1024, 1),
    BRIDGE_EVENTS_PER_SECOND: int(200, 1),
    BRIDGE_EVENT_BATCH_MAX: int(500, 1),
    BRIDGE_BODY_LIMIT: byteSize("4mb"),
    BRIDGE_LONG_POLL_MS: int(25_000, 0).pipe(z.number().max(25_000)),
    DEFAULT_IDLE_TIMEOUT_MINUTES: int(15, 1),
    IDLE_KILL_EVERY_MS: int(30_000, 100),
    // How often running runs' agent processes are checked (an exit without a report fails the run).
    PROCESS_WATCH_EVERY_MS: int(5_000, 100),
    // Longest a run's verifier may take inside its sandbox; past it the run is not verified.
    VERIFY_TIMEOUT_MS: int(120_000, 100),
    // Seconds in a "minute" of run durations and idle timeouts; tests shorten it.
    MINUTE_SECONDS: int(60, 1),
    LAUNCH_ATTEMPTS: int(3, 1),
    // How long a worker may hold a job before it counts as stalled (crashed) and is retried.
    WORKER_LOCK_MS: int(30_000, 1_000),
    REAPER_EVERY_MS: int(60_000, 100),
    LAUNCH_BACKOFF_MS: int(2_000, 0),
    // A run still booting after this many "minutes" (MINUTE_SECONDS) never started: it is failed and refunded.
    BOOTING_TIMEOUT_MINUTES: int(10, 1),
    // Launch quotas for a user (see server/domain/runs/launch-rules.ts).
    MAX_LIVE_RUNS_PER_USER: int(5, 1),
    MIN_RUN_CREDITS_CENTS: int(100, 1),
    SANDBOX_PROVIDER: z.enum(["local", "daytona"]).default("local"),
    DAYTONA_API_KEY: z.string().optional(),
    DAYTONA_API_URL: z.url().optional(),
    DAYTONA_TARGET: z.string().optional(),
    // Members may launch on Daytona only when this is on; operators and admins always may.
    DAYTONA_FOR_MEMBERS: bool.default(false),
    LLM_BASE_URL: z.url().optional(),
    LLM_API_KEY: z.string().optional(),
    // Agents reach the LLM only through the bridge, which charges the tokens used to the run.
    LLM_CENTS_PER_1K_TOKENS: int(1, 0),
    LLM_MAX_BODY_BYTES: int(1024 * 1024, 1024),
    LLM_TIMEOUT_MS: int(120_000, 1_000),
    // How long an LLM credential rests after a 429 or quota refusal that names no Retry-After.
    LLM_COOLDOWN_SECONDS: int(60, 1).pipe(z.number().max(86_400, "must be at most 86400 (a day)")),
    // URL agents use to reach the bridge; defaults to the server's own address.
    BRIDGE_PUBLIC_URL: z.url().optional(),

    // The external render service pipelines' render steps call (server/providers/render-service.ts).
    // Without it `npm start` runs a local stand-in; elsewhere render steps fail with a clear error.
    RENDER_SERVICE_URL: z.url().optional(),
    RENDER_SERVICE_API_KEY: z.string().optional(),
    // Secret (whsec_…) the service signs its completion webhooks with. Without it Paddock asks for no
    // webhook and learns of a job's end by polling alone.
    RENDER_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]+=*$/, "must be a Standard Webhooks secret: whsec_ then base64")
      .optional(),
    // Milliseconds in a "second" of external job timeouts, poll intervals and retry backoffs; tests shorten it.
    EXTERNAL_JOB_SECOND_MS: int(1_000, 1),
    // How often the pipeline backstop re-checks running pipelines and external jobs (after a crash).
    PIPELINE_SWEEP_EVERY_MS: int(15_000, 100),

    MIN_BET_CENTS: int(100, 1),
    MAX_BET_CENTS: int(1_000_000, 1).pipe(z.number().max(INT4_MAX, `must fit an integer column (at most ${INT4_MAX})`)),
    HOUSE_RAKE_BPS: int(0, 0).pipe(z.number().max(10_000)),
    SETTLE_SWEEP_EVERY_MS: int(60_000, 100),

    // Billing (server/domain/billing/): off without STRIPE_SECRET_KEY. STRIPE_API_BASE points the SDK
    // elsewhere than api.stripe.com (the local stand-in: `npm run stripe:standin`).
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    STRIPE_API_BASE: z.url().optional(),
    BILLING_CURRENCY: z
      .string()
      .regex(/^[a-z]{3}$/, "must be a three-letter ISO currency code in lower case, e.g. usd")
      .default("usd"),
    BILLING_PACKS: billingPacksSetting,
    BILLING_PLANS: billingPlansSetting,
    // Work: tasks and agents (README "Agents, projects and tasks").
    // An external agent's claim on a task lasts this long unless a heartbeat or progress renews it.
    TASK_LEASE_SECONDS: int(300, 5),
    // An external agent not heard from for this long is offline (checked every TASK_SWEEP_EVERY_MS).
    AGENT_OFFLINE_AFTER_SECONDS: int(120, 5),
    // The first retry of a failed attempt waits this long, doubling with each further failure (at most an hour).
    TASK_RETRY_BACKOFF_MS: int(30_000, 0),
    // The dispatcher also runs this often as a backstop to the wake-ups changes send it.
    TASK_DISPATCH_EVERY_MS: int(5_000, 100),
    // Housekeeping: silent agents offline, expired leases, attempts whose run ended unnoticed, stuck launches.
    TASK_SWEEP_EVERY_MS: int(15_000, 100),
    // A builtin attempt still without its run after this long is launched again (its dispatcher died).
    TASK_LAUNCH_STALE_MS: int(30_000, 100),
    // The credit budget (cents) and duration of the run a builtin agent's attempt gets; paid by the
    // member who dispatched the task, else by its creator.
    TASK_RUN_CREDITS_CENTS: int(500, 1),
    TASK_RUN_DURATION_MINUTES: int(60, 1),
    // Longest GET /api/agents/v1/tasks/next?wait= may hold a request.
    AGENT_LONG_POLL_MAX_SECONDS: int(300, 0).pipe(z.number().max(300)),
    // Outgoing webhooks (task.assigned): tries per delivery, the first retry's delay (doubling), and each request's timeout.
    WEBHOOK_DELIVERY_ATTEMPTS: int(8, 1),
    WEBHOOK_BACKOFF_MS: int(5_000, 0),
    WEBHOOK_TIMEOUT_MS: int(10_000, 100),
    // Deliverable SLAs (shared/sla.ts): milliseconds in a "minute" of SLA windows (tests and demos
    // shorten it), and how often the watcher's backstop sweeps open clocks past their thresholds
    // (each clock also has delayed jobs at its exact thresholds).
    SLA_MINUTE_MS: int(60_000, 1),
    SLA_SWEEP_EVERY_MS: int(30_000, 100),

    SEED_DEMO: bool.default(true),
    SERVE_CLIENT: bool.default(true),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === "production" && !c.AUTH_SECRET) {
      ctx.addIssue({ code: "custom", path: ["AUTH_SECRET"], message: "is required in production" });
    }
    if (c.MIN_BET_CENTS > c.MAX_BET_CENTS) {
      ctx.addIssue({ code: "custom", path: ["MIN_BET_CENTS"], message: "must not exceed MAX_BET_CENTS" });
    }
    if (c.STRIPE_SECRET_KEY && !c.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["STRIPE_WEBHOOK_SECRET"], message: "is required when STRIPE_SECRET_KEY is set" });
    }
    if (c.RENDER_SERVICE_URL && !c.RENDER_SERVICE_API_KEY) {
      ctx.addIssue({ code: "custom", path: ["RENDER_SERVICE_API_KEY"], message: "is required when RENDER_SERVICE_URL is set" });
    }
    if (c.SANDBOX_PROVIDER === "daytona" && !c.DAYTONA_API_KEY) {
      ctx.addIssue({ code: "custom", path: ["DAYTONA_API_KEY"], message: "is required when SANDBOX_PROVIDER=daytona" });
    }
  });

export type Config = z.infer<typeof configSchema> & { AUTH_SECRET: string; PUBLIC_URL: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Paddock configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`));
  }
  const c = result.data;
  return {
    ...c,
    // Outside production a secret of this installation's own, kept under DATA_DIR, keeps sessions
    // valid across restarts without a secret anyone could read in the source.
    AUTH_SECRET: c.AUTH_SECRET ?? localAuthSecret(c.DATA_DIR),
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  };
}

export const config: Config = parseConfig(process.env);
