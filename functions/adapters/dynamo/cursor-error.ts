/**
 * A page cursor the listing cannot have issued. Apart from items.ts, so that the problem mapping
 * can recognise it without loading the DynamoDB client (the console function has none).
 */
export class InvalidCursorError extends Error {
  readonly code = "invalid_cursor";
}
