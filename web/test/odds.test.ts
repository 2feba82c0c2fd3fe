import { describe, expect, it } from "vitest";
import { percent, zoneLabel, type MatchPrediction, type PositionOdds, type TeamOdds } from "../src/widgets/odds.js";
import { stage } from "./fixtures.js";
import { all, BASE, mount, one, openSocket, page, rendered, settle, text } from "./helpers.js";

const ZONES = [
  { name: "title", first: 1, last: 1 },
  { name: "relegation", first: 4, last: 4 },
];

function team(team_id: number, positions: number[], fields: Partial<TeamOdds> = {}): TeamOdds {
  return {
    team_id,
    group_id: null,
    elo: 1500,
    attack: 0,
    defence: 0,
    position_probabilities: positions,
    zone_probabilities: { title: positions[0], relegation: positions[3] },
    best_possible: 1,
    worst_possible: 4,
    clinched: [],
    eliminated: [],
    ...fields,
  };
}

// Chelsea has clinched the title: nobody else can reach it, and Chelsea cannot go down
const ODDS: PositionOdds = {
  stage_id: 7,
  sims: 10000,
  zones: ZONES,
  teams: [
    team(12, [1, 0, 0, 0], { best_possible: 1, worst_possible: 1, clinched: ["title"], eliminated: ["relegation"] }),
    team(11, [0, 0.6, 0.3, 0.1], { best_possible: 2, worst_possible: 4, eliminated: ["title"] }),
    team(14, [0, 0.3, 0.4, 0.3], { best_possible: 2, eliminated: ["title"] }),
    team(13, [0, 0.1, 0.3, 0.6], { best_possible: 2, worst_possible: null, eliminated: [] }),
  ],
};

const PREDICTIONS: MatchPrediction[] = [
  {
    match_id: 101,
    group_id: null,
    home_team_id: 12,
    away_team_id: 13,
    kickoff: "2026-09-19",
    p_home: 0.55,
    p_draw: 0.25,
    p_away: 0.2,
    hockey: null,
    likely_scores: [{ home: 1, away: 0, probability: 0.12 }],
  },
  {
    match_id: 102,
    group_id: null,
    home_team_id: 11,
    away_team_id: 14,
    kickoff: "2026-09-19",
    p_home: 0.4,
    p_draw: 0.3,
    p_away: 0.3,
    hockey: null,
    likely_scores: [],
  },
];

function routes(odds: PositionOdds = ODDS, predictions: MatchPrediction[] = PREDICTIONS) {
  return {
    "/v1/stages/7": { body: stage(7) },
    "/v1/stages/7/odds": { body: odds, etag: '"o"' },
    "/v1/stages/7/predictions": { body: predictions, etag: '"p"' },
  };
}

const ids = (el: HTMLElement): string[] => all(el, "tbody tr").map((tr) => tr.getAttribute("data-team-id") ?? "");
const cell = (el: HTMLElement, teamId: number, zone: string): Element => one(el, `tr[data-team-id="${teamId}"] td[data-zone="${zone}"]`);

describe("<rstat-odds>", () => {
  it("shows each team's zone and position chances as heat cells, in the forecast's order", async () => {
    page(routes());
    const el = mount("rstat-odds", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(ids(el)).toEqual(["12", "11", "14", "13"]);
    expect(all(el, "thead th[data-zone]").map((th) => text(th))).toEqual(["Title", "Relegation"]);
    expect(all(el, "thead th[data-position]")).toHaveLength(4);
    expect(text(one(el, 'tr[data-team-id="11"] th[scope=row]'))).toBe("Arsenal");
    const arsenalSecond = one(el, 'tr[data-team-id="11"] td[data-position="2"]');
    expect(text(arsenalSecond)).toBe("60%");
    expect(arsenalSecond.getAttribute("style")).toBe("--p:0.6");
    expect(text(cell(el, 13, "relegation"))).toBe("60%");
    expect(text(one(el, 'tr[data-team-id="11"] [data-col="range"]'))).toBe("2\u20134");
    expect(text(one(el, 'tr[data-team-id="13"] [data-col="range"]'))).toBe("?"); // undecided in the time budget
    expect(text(one(el, "[part=note]"))).toContain("10,000 simulated seasons");
  });

  it("marks clinched and out-of-reach zones in words a screen reader says too", async () => {
    page(routes());
    const el = mount("rstat-odds", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    const title = cell(el, 12, "title");
    expect(title.getAttribute("data-state")).toBe("clinched");
    expect(text(title)).toBe("100%✓, clinched");
    expect(cell(el, 12, "relegation").getAttribute("data-state")).toBe("eliminated");
    expect(text(cell(el, 11, "title"))).toBe("\u2013✗, out of reach");
    expect(cell(el, 13, "relegation").getAttribute("data-state")).toBe("open");
    expect(cell(el, 13, "relegation").hasAttribute("title")).toBe(false);
  });

  it("shows the next matches' home, draw and away bars with their chances in words", async () => {
    page(routes());
    const el = mount("rstat-odds", { stage: "7", base: BASE, "api-key": "c:s", next: "1" });
    await rendered(el, ".matches li");
    const items = all(el, ".matches li");
    expect(items.map((li) => li.getAttribute("data-match-id"))).toEqual(["101"]);
    const bar = one(el, '.matches li[data-match-id="101"] .bar');
    expect(bar.getAttribute("role")).toBe("img");
    expect(bar.getAttribute("aria-label")).toBe("Chelsea win 55%, draw 25%, Everton win 20%");
    expect([...bar.querySelectorAll("span")].map((s) => s.getAttribute("style"))).toEqual(["flex: 0.55", "flex: 0.25", "flex: 0.2"]);
  });

  it("replaces the forecast with each one the stage's predictions channel tells", async () => {
    const fake = page(routes());
    const el = mount("rstat-odds", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(fake.paths()).toEqual(expect.arrayContaining(["/v1/stages/7/odds", "/v1/stages/7/predictions"]));
    const ws = await openSocket();
    expect(ws.sent).toEqual([{ op: "subscribe", channels: ["stage:7:predictions"] }]);
    // a correction: Chelsea's title is open again, Arsenal leads the forecast
    const corrected: PositionOdds = {
      ...ODDS,
      teams: [
        team(11, [0.7, 0.2, 0.1, 0], { eliminated: ["relegation"], best_possible: 1, worst_possible: 3 }),
        team(12, [0.3, 0.5, 0.2, 0], { best_possible: 1, worst_possible: 3, eliminated: ["relegation"] }),
        ODDS.teams[2],
        ODDS.teams[3],
      ],
    };
    ws.frame(
      { channel: "stage:7:predictions", epoch: "e", seq: 1, kind: "state", body: { predictions: PREDICTIONS, odds: ODDS } },
      { channel: "stage:7:predictions", epoch: "e", seq: 2, kind: "predictions", body: { predictions: PREDICTIONS.slice(1), odds: corrected } },
    );
    await settle(el);
    expect(ids(el)).toEqual(["11", "12", "14", "13"]);
    expect(cell(el, 12, "title").getAttribute("data-state")).toBe("open");
    expect(text(cell(el, 12, "title"))).toBe("30%");
    expect(all(el, ".matches li").map((li) => li.getAttribute("data-match-id"))).toEqual(["102"]);
  });

  it("says when there is no forecast yet, and a missing stage is not ours", async () => {
    page(routes({ ...ODDS, sims: 0, teams: [] }, []));
    const a = mount("rstat-odds", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(a, "p.muted");
    expect(text(one(a, "p.muted"))).toBe("No forecast yet.");
    page({});
    const b = mount("rstat-odds", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(b, "[role=alert]");
    expect(text(one(b, "[role=alert]"))).toBe("R-Stat: stage 7 does not exist or is not yours");
  });

  it("writes probabilities as people read them", () => {
    expect([0, 0.001, 0.004, 0.3, 0.996, 0.9999, 1].map(percent)).toEqual(["\u2013", "<1%", "<1%", "30%", ">99%", ">99%", "100%"]);
    expect(zoneLabel("champions-league")).toBe("Champions league");
  });
});
