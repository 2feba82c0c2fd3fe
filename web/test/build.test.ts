import { describe, expect, it } from "vitest";

describe("toolchain", () => {
  it("runs in a DOM", () => {
    expect(typeof document.createElement("div").attachShadow).toBe("function");
  });
});
