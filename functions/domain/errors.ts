/**
 * Domain errors carry a stable `code`; the HTTP layer maps each class to a status in one place.
 * Messages are safe to show to the caller.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The thing does not exist, or the caller may not know that it does. */
export class NotFoundError extends DomainError {
  readonly code = "not_found";
}

/** The request conflicts with the current state (already answered, closed, taken). */
export class ConflictError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request is well-formed but breaks a rule of the domain. */
export class RuleViolationError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    readonly pointer?: string,
  ) {
    super(message);
  }
}

/** The thing existed but can be used no more: an invitation used, expired or revoked. */
export class GoneError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller's role does not allow this action. */
export class ForbiddenError extends DomainError {
  readonly code = "forbidden";
}

/** A page cursor that is not one the hub issued for this listing. */
export class InvalidCursorError extends DomainError {
  readonly code = "invalid_cursor";
}
