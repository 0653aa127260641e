import { DomainError } from "../errors.js";

export type DeadlineErrorCode = "invalid_time_zone" | "invalid_local_time" | "invalid_argument" | "invalid_policy" | "no_business_day";

/** A deadline could not be computed from the given calendar, policy or arguments. */
export class DeadlineError extends DomainError {
  constructor(
    readonly code: DeadlineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
