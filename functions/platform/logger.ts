/**
 * Logs with correlation keys added per request or message: structured JSON through Powertools
 * for log collectors, or one readable line per entry for a person watching `npm start` in a
 * terminal. Never pass whole events, request bodies or secrets.
 */
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "../usecases/ports.js";

export type LogFormat = "json" | "text";

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;

export function createLogger(level: string, format: LogFormat = "json", serviceName = "hoptrace"): Logger {
  if (format === "text") return textLogger(level, (line) => process.stderr.write(`${line}\n`));
  const raw = new PowertoolsLogger({ serviceName, logLevel: level as "INFO" });
  return {
    info: (message, fields) => raw.info(message, fields ?? {}),
    warn: (message, fields) => raw.warn(message, fields ?? {}),
    error: (message, fields) => raw.error(message, fields ?? {}),
  };
}

/** `12:04:05 WARN  message key=value …`: local time of day, the level, the message, then the fields. */
export function textLogger(level: string, write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  const threshold = LEVELS.indexOf(level.toUpperCase() as (typeof LEVELS)[number]);
  const at = (name: "INFO" | "WARN" | "ERROR") => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(name) < threshold) return;
    const time = now().toTimeString().slice(0, 8);
    const rest = Object.entries(fields ?? {})
      .filter(([, value]) => value !== undefined)
      .map(
        ([key, value]) =>
          ` ${key}=${typeof value === "string" && !/[\s"=]/.test(value) ? value : JSON.stringify(value instanceof Error ? value.message : value)}`,
      )
      .join("");
    write(`${time} ${name.padEnd(5)} ${message}${rest}`);
  };
  return { info: at("INFO"), warn: at("WARN"), error: at("ERROR") };
}
