/**
 * Structured JSON logs through Powertools, with correlation keys added per request or message.
 * Never pass whole events, request bodies or secrets.
 */
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "../usecases/ports.js";

export function createLogger(level: string, serviceName = "hoptrace"): Logger & { raw: PowertoolsLogger } {
  const raw = new PowertoolsLogger({ serviceName, logLevel: level as "INFO" });
  return {
    raw,
    info: (message, fields) => raw.info(message, fields ?? {}),
    warn: (message, fields) => raw.warn(message, fields ?? {}),
    error: (message, fields) => raw.error(message, fields ?? {}),
  };
}
