import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// CI asks for a JSON report beside the console output, to print its own summary line.
const jsonReport = process.env.HOPTRACE_VITEST_JSON;

/**
 * The fast suite (`npm run test:fast`): the domain, the pure units, and the application over the
 * in-memory ports. Nothing in it starts an emulator, a hub process or a browser, or needs the
 * console or the client package built.
 */
const FAST = [
  // Folders of pure code, and the use cases over the in-memory ports.
  ...[
    "fakes",
    "domain",
    "crypto",
    "usecases",
    "platform",
    "verifier",
    "http/middleware",
    "adapters/net",
    "adapters/shaken",
    "adapters/webhooks",
    "bench/stack",
  ].map((folder) => `test/${folder}/**/*.test.ts`),
  // The pure files of folders whose other tests start the emulators or need the client package built.
  "test/adapters/keys/secret-box.test.ts",
  "test/local/every.test.ts",
  "test/local/node-version.test.ts",
  "test/local/start-failure.test.ts",
  "test/openapi/client/content-digest.test.ts",
  // The HTTP tests that run on the in-memory ports (startFakeHub). The others need a socket (limits,
  // the enrolment door's rate per client address), the local server's own mailbox, or DynamoDB
  // itself (its calls per request, the size of its items).
  ...[
    "amendment-bounds",
    "amendments-and-rate",
    "answer-idempotency",
    "answers",
    "authentication",
    "authorization",
    "bad-input",
    "cursors",
    "hop-flow",
    "idempotency",
    "invitations",
    "keys",
    "log-routes",
    "pending-upstream",
    "request-log",
    "spoofed-numbers",
    "traceback-batch",
    "traceback-filters",
  ].map((name) => `test/http/${name}.test.ts`),
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // A file more than there are cores (vitest's default leaves one core idle): most files wait on
    // hubs, emulators, receivers or a browser in other processes part of the time, and a third file
    // fills what they leave (2 cores: 3 workers, about a tenth faster than 2).
    maxWorkers: availableParallelism() + 1,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", LOG_LEVEL: "ERROR" },
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
    projects: [
      // One module graph per worker: these files leave no state behind (no server, no globals), and
      // loading the application once rather than per file is most of the suite's time.
      { extends: true, test: { name: "fast", include: FAST, pool: "threads", isolate: false } },
      {
        extends: true,
        test: {
          name: "full",
          include: ["test/**/*.test.ts"],
          exclude: FAST,
          // Each worker keeps the modules it loaded from one file to the next: loading the app, the
          // AWS SDK and the emulators again per file was a fifth of the suite's CPU. Files start their
          // own hubs, tables and receivers and leave no globals behind (test/README.md).
          isolate: false,
          globalSetup: ["test/support/builds.ts"],
        },
      },
    ],
  },
});
