import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AdminClient } from "../../src/console/core/api.js";
import { STORAGE_KEY, type Role } from "../../src/console/core/session.js";
import { AUDIT_DOWN, sourceText, valueText, whatText } from "../../src/console/organizer/history.js";
import "../../src/console/organizer/history.js";
import { CAN_VIEW, navFor, parseRoute } from "../../src/console/organizer/routes.js";
import "../../src/console/shell.js";
import type { RstatConsole } from "../../src/console/shell.js";
import { AUDIT_AWAY, crawlRoutes, ENTRIES, historyOf, MATCH_30 } from "./crawl-history-fake.js";
import { ADMIN, appears, buttonNames, deep, deepAll, FakeServer, IDENTITY, page, PUBLIC, session, shadow, signedIn, text } from "./organizer-fake.js";

beforeEach(() => localStorage.clear());
afterEach(() => {
  document.body.innerHTML = "";
  localStorage.clear();
});

const TEAMS = page([
  { id: 10, name: "Lions" },
  { id: 11, name: "Tigers" },
]);

function routes(history = historyOf()): FakeServer {
  return new FakeServer({
    "GET /v1/orgs/1/matches/30": { body: MATCH_30 },
    "GET /v1/orgs/1/teams": TEAMS,
    "GET /v1/orgs/1/matches/30/history": history,
  });
}

type Page = HTMLElement & { updateComplete: Promise<unknown> };

async function mount(fake: FakeServer, role: Role = "scorer"): Promise<{ el: Page; root: ShadowRoot }> {
  const el = document.createElement("rsc-history") as Page & { client: AdminClient; org: number; orgRole: Role; match: number };
  Object.assign(el, { client: signedIn(fake, { "1": role }), org: 1, orgRole: role, match: 30 });
  document.body.append(el);
  await el.updateComplete;
  return { el, root: shadow(el) };
}

describe("<rsc-history>", () => {
  it("shows each change: when, who, through what, what, and each field before → after", async () => {
    const { root } = await mount(routes());
    await vi.waitFor(() => expect(root.querySelectorAll("tbody tr")).toHaveLength(3));
    await vi.waitFor(() => expect(text(root.querySelector("h2"))).toBe("History of the match Lions – Tigers, round 3"));
    const cells = (row: Element, name: string): string => text(row.querySelector(`td.${name}`));
    const [deleted, byHand, crawled] = [...root.querySelectorAll("tbody tr")];
    expect([cells(deleted, "who"), cells(deleted, "source"), cells(deleted, "what")]).toEqual(["ann@example.org", "admin API", "event 77 (goal) deleted"]);
    expect([...deleted.querySelectorAll("li")].map(text)).toEqual(["kind: goal → —", "minute: 10 → —"]);
    expect([cells(byHand, "who"), cells(byHand, "source"), cells(byHand, "what")]).toEqual(["by hand in SQL", "by hand in SQL", "the match changed"]);
    expect([...byHand.querySelectorAll("li")].map(text)).toEqual(["attendance: — → 5000"]);
    expect([cells(crawled, "who"), cells(crawled, "source")]).toEqual(["crawler: nhl", "crawler: nhl"]);
    expect([...crawled.querySelectorAll("li")].map(text)).toEqual(["home_score: — → 1", "status: scheduled → live"]);
    expect(crawled.querySelector("time")?.getAttribute("datetime")).toBe("2026-09-05T15:00:00Z");
    // a scorer goes back to the matches or on to the scoring page
    expect([...root.querySelectorAll(".crumbs a")].map((a) => a.getAttribute("href"))).toEqual(["#/o/1/matches", "#/o/1/score/30"]);
  });

  it("pages as the API pages: 50 at a time", async () => {
    const fake = routes(historyOf(120));
    const { el, root } = await mount(fake);
    await vi.waitFor(() => expect(text(root.querySelector(".pager"))).toContain("1–50 of 120"));
    expect(buttonNames(root)).toEqual(["Older changes"]);
    const older = [...root.querySelectorAll("button")].find((b) => text(b) === "Older changes");
    older?.click();
    await el.updateComplete;
    await vi.waitFor(() => expect(text(root.querySelector(".pager"))).toContain("51–100 of 120"));
    expect(buttonNames(root)).toEqual(["Newer changes", "Older changes"]);
    expect(fake.calls("GET", "/v1/orgs/1/matches/30/history").map((s) => s.url.search)).toEqual(["?limit=50&offset=0", "?limit=50&offset=50"]);
  });

  it("says in words that the audit trail is not running (the API's 503)", async () => {
    const { root } = await mount(routes(AUDIT_AWAY));
    await vi.waitFor(() => expect(text(root.querySelector("[role=alert]"))).toBe(AUDIT_DOWN));
    expect(AUDIT_DOWN).toContain("The audit trail is not running: start `rstat audit`");
    expect(root.querySelector("table")).toBeNull();
  });

  it("says a history with nothing in it yet", async () => {
    const { root } = await mount(routes(historyOf(0)));
    await vi.waitFor(() => expect(text(root.querySelector("p.muted:last-of-type"))).toContain("No changes recorded yet"));
  });

  it("puts changes into words", () => {
    expect(sourceText({ source: "admin-api", actor_id: "user:3" })).toBe("admin API");
    expect(sourceText({ source: "crawler:football-data", actor_id: "crawler:football-data" })).toBe("crawler: football-data");
    expect(sourceText({ source: "", actor_id: "" })).toBe("by hand in SQL");
    expect(sourceText({ source: "cli", actor_id: "cli:root" })).toBe("cli");
    expect(whatText({ ...ENTRIES[0], table: "lineups", op: "c", id: 4, changes: [] })).toBe("line-up entry 4 created");
    expect(whatText({ ...ENTRIES[1], op: "r" })).toBe("the match present when the audit began");
    expect([null, "", "x", 3, true, { a: 1 }].map(valueText)).toEqual(["—", "—", "x", "3", "true", '{"a":1}']);
  });
});

describe("the console's way to a match's history and the crawl jobs", () => {
  const orgs = (role: Role) => ({ body: [{ id: 1, slug: "nordvik", name: "Nordvik FA", role }] });

  async function openConsole(role: Role, hash: string, fake: FakeServer): Promise<RstatConsole> {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session({ "1": role })));
    history.replaceState(null, "", hash);
    const el = document.createElement("rstat-console") as RstatConsole;
    Object.assign(el, { identity: IDENTITY, publicUrl: PUBLIC, admin: ADMIN, fetcher: fake.fetch, storage: localStorage });
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  const server = (role: Role): FakeServer =>
    new FakeServer({
      "GET /v1/orgs": orgs(role),
      "GET /v1/orgs/1/matches": page([{ ...MATCH_30, kickoff: "2026-09-05T14:00:00Z", venue_id: null, home_score: null, away_score: null }]),
      "GET /v1/orgs/1/matches/30": { body: MATCH_30 },
      "GET /v1/orgs/1/matches/30/history": historyOf(),
      "GET /v1/orgs/1/teams": TEAMS,
      "GET /v1/orgs/1/venues": page([]),
      "GET /v1/orgs/1/competitions": page([]),
      "GET /v1/orgs/1/seasons": page([]),
      "GET /v1/orgs/1/stages": page([]),
      ...crawlRoutes(),
    });

  it("reads and writes the new addresses", () => {
    expect(parseRoute("#/o/3/history/30")).toEqual({ page: "org", org: 3, view: "history", id: 30 });
    expect(parseRoute("#/o/3/crawl-jobs")).toEqual({ page: "org", org: 3, view: "crawl-jobs" });
    expect(parseRoute("#/o/3/history")).toBeNull();
    expect(CAN_VIEW.history("viewer")).toBe(false);
    expect(CAN_VIEW["crawl-jobs"]("scorer")).toBe(false);
    expect(navFor("editor").map((n) => n.label)).toContain("Crawl jobs");
  });

  it("links a scorer from the matches and the scoring page to a match's history, and opens it", async () => {
    const el = await openConsole("scorer", "#/o/1/matches", server("scorer"));
    const link = await appears("tr[data-id='30'] a[aria-label^='History of']");
    expect(link.getAttribute("href")).toBe("#/o/1/history/30");
    expect(text(link)).toBe("History");
    location.hash = "#/o/1/history/30";
    await vi.waitFor(() => expect(deep(document.body, "rsc-history")).not.toBeNull());
    await appears("rsc-history tbody tr[data-op='d']");
    expect(text(shadow(el).querySelector("nav#nav a[aria-current=page]"))).toBe("Matches");
    location.hash = "#/o/1/score/30";
    await vi.waitFor(() => expect(shadow(el).querySelector("rstat-scorer")).not.toBeNull());
    expect([...shadow(el).querySelectorAll(".crumbs a")].map((a) => a.getAttribute("href"))).toEqual(["#/o/1/matches", "#/o/1/history/30"]);
  });

  it("shows a viewer no History link, and refuses the history's address in words", async () => {
    await openConsole("viewer", "#/o/1/matches", server("viewer"));
    await appears("tr[data-id='30']");
    expect(deepAll(document.body, "a[aria-label^='History of']")).toEqual([]);
    location.hash = "#/o/1/history/30";
    expect(text(await appears("[role=alert]"))).toBe("Your role in this organization (viewer) cannot read a match's history.");
    expect(deep(document.body, "rsc-history")).toBeNull();
  });

  it("puts the crawl jobs in an editor's menu and opens them", async () => {
    const el = await openConsole("editor", "#/o/1/crawl-jobs", server("editor"));
    const nav = [...shadow(el).querySelectorAll("nav#nav a")].map(text);
    expect(nav).toContain("Crawl jobs");
    await appears("rsc-crawl-jobs tr[data-id='5']");
    expect(text(shadow(el).querySelector("nav#nav a[aria-current=page]"))).toBe("Crawl jobs");
  });
});
