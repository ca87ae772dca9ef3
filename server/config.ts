// Every setting Paddock reads from the environment, parsed once. Nothing else reads process.env.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: int(3000, 0).pipe(z.number().max(65535)),
    HOST: z.string().default("0.0.0.0"),
    PUBLIC_URL: z.url().optional(),
    PADDOCK_ROLE: z.enum(["all", "api", "worker"]).default("all"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    DB_POOL_MAX: int(20, 1),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL"),
    // Prefix of every Redis key Paddock writes (queues, rate limits, pub/sub channels).
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/, "letters, digits, ':', '_' and '-' only").default("paddock"),

    AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    AUTH_GITHUB_ID: z.string().optional(),
    AUTH_GITHUB_SECRET: z.string().optional(),
    AUTH_GOOGLE_ID: z.string().optional(),
    AUTH_GOOGLE_SECRET: z.string().optional(),

    SIGNUP_GRANT_CENTS: int(100_000),
    RATE_LIMIT_AUTH_PER_MINUTE: int(30, 1),
    RATE_LIMIT_WRITE_PER_MINUTE: int(600, 1),
    JSON_BODY_LIMIT: z.string().default("1mb"),

    DATA_DIR: z.string().default(".data"),
    ARTIFACT_MAX_BYTES: int(10 * 1024 * 1024, 1),
    BRIDGE_EVENT_BATCH_MAX: int(500, 1),
    BRIDGE_BODY_LIMIT: z.string().default("4mb"),
    BRIDGE_LONG_POLL_MS: int(25_000, 0).pipe(z.number().max(25_000)),
    DEFAULT_IDLE_TIMEOUT_MINUTES: int(15, 1),
    IDLE_KILL_EVERY_MS: int(30_000, 100),
    // Longest a run's verifier may take inside its sandbox; past it the run is not verified.
    VERIFY_TIMEOUT_MS: int(120_000, 100),
    // Seconds in a "minute" of run durations and idle timeouts; tests shorten it.
    MINUTE_SECONDS: int(60, 1),
    LAUNCH_ATTEMPTS: int(3, 1),
    // How long a worker may hold a job before it counts as stalled (crashed) and is retried.
    WORKER_LOCK_MS: int(30_000, 1_000),
    REAPER_EVERY_MS: int(60_000, 100),
    LAUNCH_BACKOFF_MS: int(2_000, 0),
    SANDBOX_PROVIDER: z.enum(["local", "daytona"]).default("local"),
    DAYTONA_API_KEY: z.string().optional(),
    DAYTONA_API_URL: z.url().optional(),
    DAYTONA_TARGET: z.string().optional(),
    LLM_BASE_URL: z.url().optional(),
    LLM_API_KEY: z.string().optional(),
    // URL agents use to reach the bridge; defaults to the server's own address.
    BRIDGE_PUBLIC_URL: z.url().optional(),

    MIN_BET_CENTS: int(100, 1),
    MAX_BET_CENTS: int(1_000_000, 1),
    HOUSE_RAKE_BPS: int(0, 0).pipe(z.number().max(10_000)),
    SETTLE_SWEEP_EVERY_MS: int(60_000, 100),

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

// A fixed development secret keeps sessions valid across restarts of a local Paddock;
// production refuses to boot without AUTH_SECRET (see superRefine above).
const DEV_AUTH_SECRET = "paddock-development-secret-do-not-use-in-production";

export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  const c = result.data;
  return {
    ...c,
    AUTH_SECRET: c.AUTH_SECRET ?? DEV_AUTH_SECRET,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  };
}

export const config: Config = parseConfig(process.env);
