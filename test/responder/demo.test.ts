import { describe, expect, it } from "vitest";
import { runDemo } from "../../functions/demo/demo.js";

describe("the live demo", () => {
  it("runs every scenario to its expected outcome and tells the story as it goes", async () => {
    const lines: string[] = [];
    const result = await runDemo({ out: (l) => lines.push(l) });
    expect(result.results.map((r) => [r.key, r.outcome])).toEqual([
      ["five-hops", "originator_found"],
      ["foreign", "point_of_entry_found"],
      ["loop", "loop_detected"],
      ["by-hand", "originator_found"],
      ["silent", "non_responsive_provider"],
    ]);
    expect(result.ok).toBe(true);
    const text = lines.join("\n");
    expect(text).toMatch(/hop 5: Dialer Hosting Co answered "it is our customer Robo Reach Marketing LLC/);
    expect(text).toMatch(/Careful Telecom's responder will not guess: ingress trunk CT-LEGACY-TDM-4 is not in the trunk map/);
    expect(text).toMatch(/Quiet Carrier let the due time pass without answering/);
    expect(text).toMatch(/already on the path/);
    expect(text).toMatch(/5 of 5 tracebacks reached their expected outcome\./);
  }, 60_000);
});
