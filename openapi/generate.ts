/**
 * Produces the committed artifacts of the contract: openapi/openapi.json and the client types
 * openapi-typescript derives from it (byte for byte what its CLI writes).
 */
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { openApiDocument } from "../functions/http/app.js";
import { buildDocument, serializeDocument } from "../functions/http/schemas/document.js";

export const DOCUMENT_PATH = fileURLToPath(new URL("./openapi.json", import.meta.url));
export const CLIENT_TYPES_PATH = fileURLToPath(new URL("./client/schema.d.ts", import.meta.url));

export function documentText(): string {
  return serializeDocument(buildDocument(openApiDocument()));
}

export async function clientTypesText(documentJson: string): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(documentJson, { silent: true }))}`;
}
