import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "../../functions/local/node-version.js";

describe("the Node version", () => {
  it("is checked against a >= bound of engines", () => {
    expect(nodeVersionProblem("v20.18.0", ">=20.18")).toBeUndefined();
    expect(nodeVersionProblem("v22.1.0", ">=20.18")).toBeUndefined();
    expect(nodeVersionProblem("v20.17.9", ">=20.18")).toMatch(/^Hoptrace needs Node 20.18 or later .*this is Node 20.17.9/);
    expect(nodeVersionProblem("v18.20.0", ">=20.18")).toBeDefined();
  });
});
