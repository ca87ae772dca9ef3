import { pino } from "pino";
import { config } from "../config";

export const logger = pino({
  level: config.NODE_ENV === "test" && config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL,
  base: { service: "paddock", role: config.PADDOCK_ROLE },
  redact: {
    paths: ["password", "*.password", "req.headers.authorization", "req.headers.cookie", "token", "*.token"],
    censor: "[redacted]",
  },
});

export type Logger = typeof logger;
