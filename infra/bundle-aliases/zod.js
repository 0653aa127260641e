/**
 * `zod` as the Lambda bundles see it (an esbuild alias, see ../bundling.ts): zod's own entry
 * point less `z.locales`, the error messages in some forty languages. @hono/zod-openapi hands
 * the whole `z` namespace to zod-to-openapi, so a bundler cannot drop the translations itself;
 * the hub speaks English only (zod's default, registered by schemas.js), so none is lost.
 * The paths are zod's own files: an aliased `zod/...` import would resolve to this file again.
 */
import * as z from "./zod-english.js";
export * from "./zod-english.js";
export { z, z as default };
