import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/common/context.js";
import { errorMessage } from "../src/common/element.js";
import { ApiError } from "../src/common/http.js";
import { CRITERIA, stage, STANDINGS } from "./fixtures.js";
import { BASE, mount, one, openSocket, page, rendered, text } from "./helpers.js";

function element(attributes: Record<string, string>): HTMLElement {
  const el = document.createElement("div");
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  return el;
}

describe("configuration", () => {
  it("prefers the element's attributes, then the page's meta tags", () => {
    page();
    document.head.insertAdjacentHTML("beforeend", '<meta name="rstat-token" content="page-token"><meta name="rstat-base" content="https://meta.example/">');
    expect(resolveConfig(element({}))).toEqual({ base: "https://meta.example", credential: { kind: "token", value: "page-token" } });
    expect(resolveConfig(element({ base: "https://attr.example", "api-key": "c:s" }))).toEqual({
      base: "https://attr.example",
      credential: { kind: "api_key", value: "c:s" },
    });
    expect(resolveConfig(element({ token: "own" })).credential).toEqual({ kind: "token", value: "own" });
  });

  it("an api-key meta tag wins over a token meta tag, and the base falls back to the bundle's origin (the page's under test)", () => {
    page();
    document.head.insertAdjacentHTML("beforeend", '<meta name="rstat-token" content="t"><meta name="rstat-api-key" content="k:s">');
    const config = resolveConfig(element({}));
    expect(config.credential).toEqual({ kind: "api_key", value: "k:s" });
    expect(config.base).toBe(location.origin);
  });

  it("sends a page token as a bearer over REST and as ?token= on the live feed", async () => {
    const fake = page({
      "/v1/stages/7": { body: stage(7) },
      "/v1/stages/7/standings?live=false": { body: STANDINGS },
      "/v1/criteria": { body: CRITERIA },
    });
    document.head.insertAdjacentHTML("beforeend", '<meta name="rstat-token" content="tok">');
    const el = mount("rstat-standings", { stage: "7", base: BASE });
    await rendered(el, "tbody tr");
    expect(fake.requests.every((r) => r.headers.Authorization === "Bearer tok" && !("X-API-Key" in r.headers))).toBe(true);
    const ws = await openSocket();
    expect(new URL(ws.url).searchParams.get("token")).toBe("tok");
  });

  it("says how to give a credential when there is none", async () => {
    page({ "/v1/stages/7": { status: 401, body: { error: "unauthorized", detail: "no credential" } } });
    const el = mount("rstat-standings", { stage: "7", base: BASE });
    await rendered(el, "[role=alert]");
    expect(text(one(el, "[role=alert]"))).toContain('<meta name="rstat-api-key"');
  });

  it("says which attribute is missing instead of asking the server", async () => {
    const fake = page();
    const el = mount("rstat-match", { base: BASE, "api-key": "c:s" });
    await rendered(el, "[role=alert]");
    expect(text(one(el, "[role=alert]"))).toBe('R-Stat: <rstat-match> needs a match="…" attribute (a number)');
    const leaders = mount("rstat-leaders", { season: "x", base: BASE, "api-key": "c:s" });
    await rendered(leaders, "[role=alert]");
    expect(text(one(leaders, "[role=alert]"))).toContain('needs a season="…"');
    expect(fake.requests).toHaveLength(0);
  });

  it("words each kind of failure", () => {
    expect(errorMessage(new ApiError(403, "forbidden", ""), "stage 7", "api_key")).toBe("R-Stat: this website may not read stage 7");
    expect(errorMessage(new ApiError(0, "network", "down"), "stage 7", "api_key")).toContain("reconnecting");
    expect(errorMessage(new ApiError(500, "server_error", "boom"), "stage 7", "api_key")).toBe("R-Stat: the statistics server answered 500 (boom)");
  });
});
