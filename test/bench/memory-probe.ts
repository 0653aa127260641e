/**
 * Loaded into the hub's process by the soak (`node --import`): answers "memory" on the IPC
 * channel with the process's own figures, after a full collection when `--expose-gc` is on.
 */
process.on("message", (message) => {
  if (message !== "memory") return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
