import { describe, expect, it, vi } from "vitest";
import { whyBelow } from "../src/widgets/standings.js";
import { CRITERIA, HOCKEY_STANDINGS, LIVE_STANDINGS, STANDINGS, TEAMS, stage } from "./fixtures.js";
import { all, BASE, mount, one, openSocket, page, rendered, root, settle, text } from "./helpers.js";

function routes(sport = "football", standings = STANDINGS) {
  return {
    "/v1/stages/7": { body: stage(7, sport), etag: '"s7"' },
    "/v1/stages/7/standings?live=false": { body: standings, etag: '"f"' },
    "/v1/stages/7/standings?live=true": { body: LIVE_STANDINGS, etag: '"l"' },
    "/v1/criteria": { body: CRITERIA },
  };
}

const ids = (el: HTMLElement): string[] => all(el, "tbody tr").map((tr) => tr.getAttribute("data-team-id") ?? "");

describe("<rstat-standings>", () => {
  it("renders the rows in order with table semantics and the numbers", async () => {
    page(routes());
    const el = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(ids(el)).toEqual(["12", "11", "14", "13"]);
    expect(text(one(el, "caption"))).toContain("Premier League");
    expect(all(el, "thead th[scope=col]").length).toBeGreaterThanOrEqual(9);
    const second = one(el, 'tr[data-team-id="11"]');
    expect(text(second.querySelector("th[scope=row]"))).toContain("Arsenal");
    expect(text(second.querySelector('[data-col="points"]'))).toBe("22");
    expect(text(second.querySelector('[data-col="goals"]'))).toBe("18:8");
    expect(text(second.querySelector('[data-col="goal_diff"]'))).toBe("+10");
    expect(all(el, "[data-col=ot_won]")).toHaveLength(0);
    expect(all(el, "thead abbr").map((a) => a.textContent)).not.toContain("OTW");
  });

  it("says why each row is below the one above, in a title and in an element the row is described by", async () => {
    page(routes());
    const el = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    const rows = all(el, "tbody tr");
    expect(rows[0].hasAttribute("title")).toBe(false);
    expect(rows[0].querySelector(".why")).toBeNull();
    expect(rows[1].getAttribute("title")).toBe("Below Chelsea on goal difference");
    const described = root(el).getElementById(rows[1].getAttribute("aria-describedby") ?? "");
    expect(text(described)).toBe("Below Chelsea on goal difference");
    expect(rows[1].querySelector("th")?.contains(described)).toBe(true);
    expect(rows[2].getAttribute("title")).toBe("Below Arsenal on points");
    expect(rows[3].getAttribute("title")).toBe(`Level with Fulham \u2014 ${CRITERIA.unresolved}`);
    expect(rows[1].getAttribute("tabindex")).toBe("0");
  });

  it("shows the overtime columns for hockey", async () => {
    page({ ...routes("ice-hockey", HOCKEY_STANDINGS) });
    const el = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(all(el, "thead abbr").map((a) => a.textContent)).toEqual(expect.arrayContaining(["OTW", "OTL"]));
    const chelsea = one(el, 'tr[data-team-id="12"]');
    expect(text(chelsea.querySelector("[data-col=ot_won]"))).toBe("1");
    expect(text(chelsea.querySelector("[data-col=ot_lost]"))).toBe("3");
    expect(one(el, "table").getAttribute("data-group-id")).toBe("5");
  });

  it("with live: reads the live table, marks it, and replaces a group from the stage channel", async () => {
    const fake = page(routes());
    const el = mount("rstat-standings", { stage: "7", live: "", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(fake.paths()).toContain("/v1/stages/7/standings?live=true");
    expect(one(el, "table").getAttribute("data-live")).toBe("true");
    expect(text(one(el, "caption [part=badge]"))).toBe("live");
    expect(ids(el)).toEqual(["11", "12", "14", "13"]);
    const ws = await openSocket();
    expect(ws.sent).toEqual([{ op: "subscribe", channels: ["stage:7"] }]);
    const moved = structuredClone(LIVE_STANDINGS[0]);
    moved.rows.reverse();
    ws.frame(
      { channel: "stage:7", epoch: "e", seq: 1, kind: "state", body: { standings: STANDINGS, live_standings: LIVE_STANDINGS } },
      { channel: "stage:7", epoch: "e", seq: 2, kind: "standings", body: STANDINGS[0] }, // the final table: not ours
      { channel: "stage:7", epoch: "e", seq: 3, kind: "live_standings", body: moved },
    );
    await settle(el);
    expect(ids(el)).toEqual(["13", "14", "12", "11"]);
  });

  it("with live but no live table computed yet: shows the final one", async () => {
    page({ ...routes(), "/v1/stages/7/standings?live=true": { body: [] } });
    const el = mount("rstat-standings", { stage: "7", live: "", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(ids(el)).toEqual(["12", "11", "14", "13"]);
    expect(one(el, "table").getAttribute("data-live")).toBe("true");
  });

  it("without live: follows the final table", async () => {
    page(routes());
    const el = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(one(el, "table").getAttribute("data-live")).toBe("false");
    expect(root(el).querySelector("caption [part=badge]")).toBeNull();
    const ws = await openSocket();
    ws.frame({ channel: "stage:7", epoch: "e", seq: 1, kind: "live_standings", body: LIVE_STANDINGS[0] });
    await settle(el);
    expect(ids(el)).toEqual(["12", "11", "14", "13"]);
  });

  it("shows a wrong API key in an alert, not a blank box", async () => {
    page({ "/v1/stages/7": { status: 401, body: { error: "unauthorized", detail: "unknown API key" } } });
    const el = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "bad:key" });
    await rendered(el, "[role=alert]");
    expect(text(one(el, "[role=alert]"))).toBe("R-Stat: this website's API key is not valid");
    expect(all(el, "table")).toHaveLength(0);
  });

  it("says a bad token is not valid, and a missing stage does not exist or is not ours", async () => {
    page({ "/v1/stages/7": { status: 401, body: { error: "unauthorized", detail: "expired" } } });
    const a = mount("rstat-standings", { stage: "7", base: BASE, token: "t" });
    await rendered(a, "[role=alert]");
    expect(text(one(a, "[role=alert]"))).toContain("access token is not valid");
    page({});
    const b = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(b, "[role=alert]");
    expect(text(one(b, "[role=alert]"))).toBe("R-Stat: stage 7 does not exist or is not yours");
  });

  it("takes the credential and base from the page's meta tags", async () => {
    const fake = page({
      "/v1/stages/7": { body: stage(7) },
      "/v1/stages/7/standings?live=false": { body: STANDINGS },
      "/v1/criteria": { body: CRITERIA },
    });
    document.head.insertAdjacentHTML(
      "beforeend",
      '<meta name="rstat-base" content="https://other.example.net"><meta name="rstat-api-key" content="site:key">',
    );
    const el = mount("rstat-standings", { stage: "7" });
    await rendered(el, "tbody tr");
    expect(fake.requests.every((r) => r.url.origin === "https://other.example.net")).toBe(true);
    expect(fake.requests.every((r) => r.headers["X-API-Key"] === "site:key")).toBe(true);
    const ws = await openSocket();
    expect(new URL(ws.url).searchParams.get("api_key")).toBe("site:key");
  });

  it("explains the why of a row with the criterion's name when /v1/criteria has no words for it", () => {
    const teams = new Map(TEAMS.map((t) => [t.id, t]));
    const rows = structuredClone(STANDINGS[0].rows);
    rows[1].decided_by = "away_goals";
    expect(whyBelow(rows, 0, teams, {})).toBe("");
    expect(whyBelow(rows, 1, teams, {})).toBe("Below Chelsea on away goals");
  });

  it("reloads when its stage attribute changes", async () => {
    const fake = page({ ...routes(), "/v1/stages/8": { body: stage(8) }, "/v1/stages/8/standings?live=false": { body: HOCKEY_STANDINGS } });
    const el = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    el.setAttribute("stage", "8");
    await vi.waitFor(() => expect(ids(el)).toEqual(["11", "12"]));
    expect(fake.paths()).toContain("/v1/stages/8/standings?live=false");
  });
});
