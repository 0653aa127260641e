import { defineConfig } from "vitest/config";

// CI asks for a JSON report beside the console output, to print its own summary line.
const jsonReport = process.env.HOPTRACE_VITEST_JSON;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/console-build.ts", "test/support/client-build.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", LOG_LEVEL: "ERROR" },
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
  },
});
