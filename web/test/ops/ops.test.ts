import { afterEach, describe, expect, it } from "vitest";
import "../../src/ops/index.js";
import type { RstatOps } from "../../src/ops/element.js";
import { formatValue, sparkPath } from "../../src/ops/format.js";
import { STORAGE_KEY } from "../../src/ops/session.js";
import { metrics } from "./fixture.js";

type Handler = (url: string, init?: RequestInit) => Response | Promise<Response>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

async function mount(handler: Handler, signedIn = false): Promise<{ el: RstatOps; calls: string[] }> {
  const calls: string[] = [];
  if (signedIn) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ access_token: "a1", refresh_token: "r1", expires_at: Date.now() + 600_000 }));
  }
  const el = document.createElement("rstat-ops") as RstatOps;
  el.identity = "http://id.example";
  el.interval = 60_000;
  el.fetcher = async (input, init) => {
    const url = String(input);
    calls.push(`${init?.method ?? "GET"} ${url} ${(init?.headers as Record<string, string> | undefined)?.Authorization ?? ""}`.trim());
    return handler(url, init);
  };
  document.body.append(el);
  await el.updateComplete;
  return { el, calls };
}

async function settle(el: RstatOps): Promise<ShadowRoot> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await el.updateComplete;
  }
  return el.shadowRoot as ShadowRoot;
}

afterEach(() => {
  document.body.innerHTML = "";
  sessionStorage.clear();
});

describe("formatting", () => {
  it("writes each unit readably", () => {
    expect(formatValue(null, "bytes")).toBe("–");
    expect(formatValue(512, "bytes")).toBe("512 B");
    expect(formatValue(3 * 1024 * 1024, "bytes")).toBe("3.0 MiB");
    expect(formatValue(0.042, "seconds")).toBe("42 ms");
    expect(formatValue(1.5, "seconds")).toBe("1.50 s");
    expect(formatValue(200, "seconds")).toBe("3 min 20 s");
    expect(formatValue(12.5, "per_second")).toBe("12.5/s");
    expect(formatValue(1234, "messages")).toBe("1,234");
  });

  it("draws sparklines from the lowest to the highest value and breaks at gaps", () => {
    expect(sparkPath([1])).toBe("");
    expect(sparkPath([0, 10], 100, 24)).toBe("M0.0 24.0 L100.0 0.0");
    expect(sparkPath([5, 5], 100, 24)).toBe("M0.0 12.0 L100.0 12.0");
    expect(sparkPath([0, null, 10], 100, 24)).toBe("M0.0 24.0 M100.0 0.0");
  });
});

describe("<rstat-ops>", () => {
  it("asks for email and password when nobody is signed in", async () => {
    const { el } = await mount(() => json(500, {}));
    const root = el.shadowRoot as ShadowRoot;
    expect(root.querySelector("label[for=email]")?.textContent).toBe("Email");
    expect(root.querySelector<HTMLInputElement>("#password")?.type).toBe("password");
    expect(root.querySelector(".panels")).toBeNull();
  });

  it("renders the processes' health and the panels from a fixture", async () => {
    const { el } = await mount(() => json(200, metrics()), true);
    const root = await settle(el);
    const states = [...root.querySelectorAll(".processes li")].map((li) => [
      li.getAttribute("data-job"),
      li.querySelector(".state")?.textContent,
    ]);
    expect(states).toEqual([
      ["rstat-cdc", "up"],
      ["rstat-streams", "down"],
      ["rstat-public", "unhealthy"],
    ]);
    expect(root.querySelector("[data-job=rstat-streams] .why")?.textContent).toContain("connection refused");
    expect(root.querySelector("[data-panel=changes_per_second] .big")?.textContent).toBe("12.5/s");
    const latency = [...root.querySelectorAll("[data-panel=commit_to_stats_seconds] .series")].map((s) =>
      s.textContent?.replace(/\s+/g, " ").trim(),
    );
    expect(latency).toEqual(["p50 42 ms", "p99 1.50 s"]);
    expect(root.querySelector("[data-panel=slot_lag_bytes] .big")?.textContent).toBe("–");
    // every panel is a labelled region; the sparklines are decoration for screen readers
    for (const panel of root.querySelectorAll(".panel")) {
      expect(root.getElementById(panel.getAttribute("aria-labelledby") ?? "")).not.toBeNull();
    }
    expect(root.querySelector(".spark")?.getAttribute("aria-hidden")).toBe("true");
  });

  it("says which panels are still filling their window", async () => {
    const { el } = await mount(() => json(200, metrics()), true);
    const root = await settle(el);
    expect(root.querySelector("[data-panel=changes_per_second] .filling")?.textContent).toContain("30 s of 1 min");
    expect(root.querySelector("[data-panel=slot_lag_bytes] .filling")).toBeNull();
    el.show({ ...metrics(), history_s: 600 });
    await el.updateComplete;
    expect(root.querySelector(".filling")).toBeNull();
  });

  it("keeps each series' recent values for its sparkline", async () => {
    const { el } = await mount(() => json(200, metrics()), true);
    await settle(el);
    el.show(metrics(20));
    el.show(metrics(null));
    await el.updateComplete;
    expect(el.history.get("changes_per_second|changes/s")).toEqual([12.5, 20, null]);
    expect(el.shadowRoot?.querySelector("[data-panel=changes_per_second] .spark path")?.getAttribute("d")).toBe(
      "M0.0 24.0 L50.0 0.0",
    );
  });

  it("signs in at the identity app and reads the metrics with the token", async () => {
    const { el, calls } = await mount((url) =>
      url.endsWith("/v1/token")
        ? json(200, { access_token: "a2", refresh_token: "r2", expires_in: 600 })
        : json(200, metrics()),
    );
    const root = el.shadowRoot as ShadowRoot;
    (root.querySelector("#email") as HTMLInputElement).value = "owner@example.org";
    (root.querySelector("#password") as HTMLInputElement).value = "secret";
    (root.querySelector("form") as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
    await settle(el);
    expect(calls).toEqual(["POST http://id.example/v1/token", "GET /v1/ops/metrics Bearer a2"]);
    expect(JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "{}").access_token).toBe("a2");
    expect(root.querySelectorAll(".panel").length).toBe(3);
  });

  it("says so when the user is not an owner", async () => {
    const { el } = await mount(() => json(403, { detail: "no" }), true);
    const root = await settle(el);
    expect(root.querySelector(".forbidden")?.textContent).toContain("Not an owner");
    expect(root.querySelector(".forbidden")?.getAttribute("role")).toBe("alert");
  });

  it("renews an expired token once, and signs out when that fails", async () => {
    let renewed = false;
    const { el, calls } = await mount((url, init) => {
      if (url.endsWith("/v1/token/refresh")) {
        renewed = true;
        return json(200, { access_token: "a3", refresh_token: "r3", expires_in: 600 });
      }
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === "Bearer a3" ? json(200, metrics()) : json(401, {});
    }, true);
    const root = await settle(el);
    expect(renewed).toBe(true);
    expect(calls).toEqual([
      "GET /v1/ops/metrics Bearer a1",
      "POST http://id.example/v1/token/refresh",
      "GET /v1/ops/metrics Bearer a3",
    ]);
    expect(root.querySelector(".processes")).not.toBeNull();

    const { el: other } = await mount((url) => (url.endsWith("/refresh") ? json(401, {}) : json(401, {})), true);
    const otherRoot = await settle(other);
    expect(otherRoot.querySelector("form")).not.toBeNull();
    expect(otherRoot.querySelector(".error")?.textContent).toContain("sign in again");
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});
