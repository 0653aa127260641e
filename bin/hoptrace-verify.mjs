#!/usr/bin/env node
// The offline bundle verifier (functions/verifier/verify-cli.ts), run through tsx from this package.
import { register } from "tsx/esm/api";

register();
await import("../functions/verifier/verify-cli.ts");
