/** `npm run openapi`: writes openapi/openapi.json and openapi/client/schema.d.ts. */
import { writeFileSync } from "node:fs";
import { CLIENT_TYPES_PATH, DOCUMENT_PATH, clientTypesText, documentText } from "./generate.js";

const document = documentText();
writeFileSync(DOCUMENT_PATH, document);
writeFileSync(CLIENT_TYPES_PATH, await clientTypesText(document));
process.stdout.write(`wrote ${DOCUMENT_PATH}\nwrote ${CLIENT_TYPES_PATH}\n`);
