/**
 * `@aws-sdk/credential-provider-node` as the Lambda bundles see it (an esbuild alias, see
 * ../bundling.ts). Lambda hands a function its role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the SDK's default chain
 * (profiles, SSO, web identity, process, container and instance metadata) would only be loaded
 * to be skipped; the environment provider is the one the chain would pick there.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init = {}) => fromEnv(init);
