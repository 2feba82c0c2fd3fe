import { describe, expect, it, vi } from "vitest";
import { contextFor, connections } from "../src/common/context.js";
import { LIST_REFETCH_MS, watchedChannels } from "../src/common/matchlist.js";
import { groupMatches } from "../src/widgets/calendar.js";
import { currentRound } from "../src/widgets/scoreboard.js";
import { FakeWebSocket } from "./fakes.js";
import { CRITERIA, leader, stage, STANDINGS, summary, TEAMS } from "./fixtures.js";
import { all, BASE, mount, one, openSocket, page, rendered, root, settle, text } from "./helpers.js";

const page500 = (items: unknown[]) => ({ body: { items, limit: 500, offset: 0 } });

describe("<rstat-scoreboard>", () => {
  const season = [
    summary(1, 11, "finished"),
    summary(2, 11, "finished"),
    summary(3, 12, "finished"),
    summary(4, 12, "live", { home_team_id: 13, away_team_id: 14, home_team_name: "Everton", away_team_name: "Fulham" }),
    summary(5, 12, "scheduled"),
    summary(6, 13, "scheduled"),
  ];

  it("finds the current round: the first with a match not finished, else the last", () => {
    expect(currentRound(season)).toBe(12);
    expect(currentRound(season.map((m) => ({ ...m, status: "finished" })))).toBe(13);
    expect(currentRound([])).toBeNull();
    const postponed = season.map((m) => (m.round === 12 && m.status !== "finished" ? { ...m, status: "postponed" } : m));
    expect(currentRound(postponed)).toBe(13);
  });

  it("shows the current round's matches with scores and a live badge, and follows their channels", async () => {
    const fake = page({ "/v1/stages/7/matches?limit=500&offset=0": page500(season) });
    const el = mount("rstat-scoreboard", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tr[data-match-id]");
    expect(text(one(el, "caption"))).toBe("Round 12");
    expect(all(el, "tr[data-match-id]").map((tr) => tr.getAttribute("data-match-id"))).toEqual(["3", "4", "5"]);
    const live = one(el, 'tr[data-match-id="4"]');
    expect(text(live.querySelector("[part=badge]"))).toBe("live");
    expect(text(live.querySelector("[data-home-score]"))).toBe("1");
    expect(text(live.querySelector(".home .long"))).toBe("Everton");
    expect(text(live.querySelector(".home .short"))).toBe("EVE");
    expect(one(el, 'tr[data-match-id="3"]').querySelector("[part=badge]")).toBeNull();
    const ws = await openSocket();
    expect(ws.sent).toEqual([{ op: "subscribe", channels: ["match:4", "match:5"] }]);
    const reads = fake.requests.length;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      ws.frame({ channel: "match:4", epoch: "e", seq: 7, kind: "goal_scored", body: { id: "goal_scored:1", home_score: 1, away_score: 1 } });
      await settle(el);
      expect(text(one(el, 'tr[data-match-id="4"] [data-away-score]'))).toBe("1");
      // the notice had the score: no read of the list
      await vi.advanceTimersByTimeAsync(2 * LIST_REFETCH_MS);
      expect(fake.requests.length).toBe(reads);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows the round it is given", async () => {
    const fake = page({ "/v1/stages/7/matches?round=11&limit=500&offset=0": page500(season.slice(0, 2)) });
    const el = mount("rstat-scoreboard", { stage: "7", round: "11", base: BASE, "api-key": "c:s" });
    await rendered(el, "tr[data-match-id]");
    expect(text(one(el, "caption"))).toBe("Round 11");
    expect(all(el, "tr[data-match-id]")).toHaveLength(2);
    expect(fake.paths()).toContain("/v1/stages/7/matches?round=11&limit=500&offset=0");
  });

  it("reads the list again after a notice, with If-None-Match", async () => {
    let items = season;
    let version = 1;
    const fake = page({ "/v1/stages/7/matches?limit=500&offset=0": () => ({ body: { items, limit: 500, offset: 0 }, etag: `"v${version}"` }) });
    const el = mount("rstat-scoreboard", { stage: "7", base: BASE, "api-key": "c:s" });
    await rendered(el, "tr[data-match-id]");
    const ws = await openSocket();
    items = season.map((m) => (m.id === 5 ? { ...m, status: "live", home_score: 0, away_score: 0 } : m));
    version = 2;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      ws.frame({ channel: "match:5", epoch: "e", seq: 1, kind: "match_started", body: { id: "s", status: "live" } });
      await settle(el);
      expect(one(el, 'tr[data-match-id="5"]').getAttribute("data-status")).toBe("live");
      expect(root(el).querySelector('tr[data-match-id="5"] [data-home-score]')).toBeNull();
      await vi.advanceTimersByTimeAsync(LIST_REFETCH_MS);
    } finally {
      vi.useRealTimers();
    }
    await vi.waitFor(() => expect(text(one(el, 'tr[data-match-id="5"] [data-home-score]'))).toBe("0"));
    expect(fake.requests.filter((r) => r.url.pathname.endsWith("/matches")).at(-1)?.headers["If-None-Match"]).toBe('"v1"');
  });

  it("follows scheduled matches from 3 hours before their kick-off", () => {
    const now = Date.parse("2026-03-10T12:00:00Z");
    const matches = [
      summary(1, 1, "scheduled", { kickoff: "2026-03-10T14:30:00Z" }),
      summary(2, 1, "scheduled", { kickoff: "2026-03-10T15:30:00Z" }),
      summary(3, 1, "scheduled", { kickoff: "2026-03-10T11:00:00Z" }), // overdue: may start any moment
      summary(4, 1, "finished"),
      summary(5, 1, "postponed"),
      summary(6, 1, "live", { kickoff: "2026-03-10T13:00:00Z" }),
    ];
    expect(watchedChannels(matches, now)).toEqual(["match:6", "match:3", "match:1"]);
  });

  it("follows at most 40 matches, live ones first", () => {
    const many = Array.from({ length: 60 }, (_, i) => summary(100 + i, 1, i === 59 ? "live" : "scheduled"));
    const channels = watchedChannels(many, Date.parse("2026-03-01T14:00:00Z"));
    expect(channels).toHaveLength(40);
    expect(channels[0]).toBe("match:159");
  });
});

describe("<rstat-calendar>", () => {
  const matches = [
    summary(1, 1, "finished"),
    summary(2, 2, "scheduled", { kickoff: "2026-04-02T18:30:00Z" }),
    summary(3, 1, "finished", { kickoff: "2026-03-03T12:00:00Z" }),
    summary(4, 2, "scheduled", { kickoff: "2026-04-02T12:00:00Z" }),
  ];

  it("groups by round with results and kick-off times, for one team", async () => {
    const fake = page({ "/v1/stages/7/matches?team=12&limit=500&offset=0": page500(matches) });
    const el = mount("rstat-calendar", { stage: "7", team: "12", base: BASE, "api-key": "c:s" });
    await rendered(el, "tr[data-match-id]");
    expect(fake.paths()).toContain("/v1/stages/7/matches?team=12&limit=500&offset=0");
    expect(all(el, "caption").map(text)).toEqual(["Round 1", "Round 2"]);
    expect(all(el, "tr[data-match-id]").map((tr) => tr.getAttribute("data-match-id"))).toEqual(["1", "3", "4", "2"]);
    const time = one(el, 'tr[data-match-id="2"] time');
    expect(time.getAttribute("datetime")).toBe("2026-04-02T18:30:00Z");
    expect(text(time)).not.toBe("");
  });

  it("groups by local day with group-by=date", () => {
    const groups = groupMatches(matches, "date");
    expect(groups.map((g) => g.matches.map((m) => m.id))).toEqual([[1], [3], [4, 2]]);
  });
});

describe("<rstat-leaders>", () => {
  it("shows the leaderboard with the stat's columns and follows the season channel", async () => {
    const fake = page({ "/v1/seasons/3/leaders/goals?limit=2": { body: [leader(1, 9), leader(2, 7, { team_id: 12 })] } });
    const el = mount("rstat-leaders", { season: "3", stat: "goals", limit: "2", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(fake.paths()).toContain("/v1/seasons/3/leaders/goals?limit=2");
    expect(all(el, "tbody tr").map((tr) => tr.getAttribute("data-player-id"))).toEqual(["1", "2"]);
    expect(text(one(el, 'tr[data-player-id="2"] [data-col="G"]'))).toBe("7");
    expect(text(one(el, 'tr[data-player-id="2"]'))).toContain("Chelsea");
    const ws = await openSocket();
    expect(ws.sent).toEqual([{ op: "subscribe", channels: ["season:3:leaders"] }]);
    ws.frame({ channel: "season:3:leaders", epoch: "e", seq: 2, kind: "leaders", body: { goals: [leader(2, 10), leader(1, 9), leader(5, 8)], assists: [] } });
    await settle(el);
    expect(all(el, "tbody tr").map((tr) => tr.getAttribute("data-player-id"))).toEqual(["2", "1"]);
  });

  it("reads a board longer than the feed's again over REST", async () => {
    const top = (n: number) => Array.from({ length: n }, (_, i) => leader(100 + i, 40 - i));
    let board = top(25);
    const fake = page({ "/v1/seasons/3/leaders/points?limit=25": () => ({ body: board }) });
    const el = mount("rstat-leaders", { season: "3", stat: "points", limit: "25", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(all(el, "tbody tr")).toHaveLength(25);
    const ws = await openSocket();
    board = [leader(999, 50), ...top(24)];
    ws.frame({ channel: "season:3:leaders", epoch: "e", seq: 1, kind: "leaders", body: { points: board.slice(0, 20) } });
    await vi.waitFor(() => expect(all(el, "tbody tr")[0].getAttribute("data-player-id")).toBe("999"));
    expect(all(el, "tbody tr")).toHaveLength(25);
    expect(fake.paths().filter((p) => p.startsWith("/v1/seasons/3/leaders/points"))).toHaveLength(2);
  });

  it("shows goalie columns", async () => {
    page({ "/v1/seasons/3/leaders/goalies?limit=10": { body: [leader(1, 0, { save_pct: 0.9234, goals_against_average: 1.876, shutouts: 3 })] } });
    const el = mount("rstat-leaders", { season: "3", stat: "goalies", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    expect(text(one(el, '[data-col="SV%"]'))).toBe(".923");
    expect(text(one(el, '[data-col="GAA"]'))).toBe("1.88");
    expect(text(one(el, '[data-col="SO"]'))).toBe("3");
  });
});

describe("the page's shared data layer", () => {
  it("shares one live connection between every widget of a base and credential", async () => {
    page({
      "/v1/stages/7": { body: stage(7) },
      "/v1/stages/7/standings?live=false": { body: STANDINGS },
      "/v1/criteria": { body: CRITERIA },
      "/v1/seasons/3/leaders/goals?limit=10": { body: [leader(1, 9)] },
    });
    const a = mount("rstat-standings", { stage: "7", base: BASE, "api-key": "c:s" });
    const b = mount("rstat-leaders", { season: "3", base: BASE, "api-key": "c:s" });
    await rendered(a, "tbody tr");
    await rendered(b, "tbody tr");
    const ws = await openSocket();
    expect(FakeWebSocket.instances).toHaveLength(1);
    const channels = ws.sent.flatMap((m) => (m as { channels: string[] }).channels);
    expect(channels.sort()).toEqual(["season:3:leaders", "stage:7"]);
    const rstat = (globalThis as unknown as { rstat: { connections: typeof connections } }).rstat;
    expect(rstat.connections()).toEqual([
      { base: BASE, state: "open", channels: expect.arrayContaining(["stage:7", "season:3:leaders"]), polled: [] },
    ]);
    a.remove();
    expect(ws.sent.at(-1)).toEqual({ op: "unsubscribe", channels: ["stage:7"] });
  });

  it("reads the team names page by page, once", async () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ id: 1000 + i, name: `T${i}`, short_name: null, code: null }));
    const fake = page({
      "/v1/teams?limit=500&offset=0": { body: { items: many, limit: 500, offset: 0 } },
      "/v1/teams?limit=500&offset=500": { body: { items: TEAMS, limit: 500, offset: 500 } },
    });
    const ctx = contextFor(BASE, { kind: "api_key", value: "c:s" });
    const [teams, again] = await Promise.all([ctx.teams(), ctx.teams()]);
    expect(teams.size).toBe(504);
    expect(teams.get(11)?.name).toBe("Arsenal");
    expect(again).toBe(teams);
    expect(fake.paths().filter((p) => p.startsWith("/v1/teams"))).toEqual([
      "/v1/teams?limit=500&offset=0",
      "/v1/teams?limit=500&offset=500",
    ]);
  });

  it("polls the REST routes of a stage channel when WebSockets are blocked", async () => {
    page({
      "/v1/stages/7/standings?live=false": { body: STANDINGS },
      "/v1/stages/7/standings?live=true": { body: [] },
    });
    const ctx = contextFor(BASE, null);
    expect(await ctx.pollChannel("stage:7")).toEqual({ standings: STANDINGS, live_standings: [] });
  });

  it("a widget falls back to polling its REST routes when WebSockets are blocked", async () => {
    let standings = STANDINGS;
    let version = 1;
    const fake = page({
      "/v1/stages/7": { body: stage(7) },
      "/v1/stages/7/standings?live=false": () => ({ body: standings, etag: `"v${version}"` }),
      "/v1/stages/7/standings?live=true": { body: [], etag: '"l"' },
      "/v1/criteria": { body: CRITERIA },
    });
    const el = mount("rstat-standings", { stage: "7", poll: "5", base: BASE, "api-key": "c:s" });
    await rendered(el, "tbody tr");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      for (let i = 0; i < 3; i++) {
        await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(i + 1));
        FakeWebSocket.last().drop(1006); // never opened: a proxy in the way
        await vi.advanceTimersByTimeAsync(i < 2 ? 10_000 : 0);
      }
      await settle(el);
      expect(one(el, '[data-state="polling"]').textContent).toContain("updated every 5 s");
      const reads = () => fake.paths().filter((p) => p === "/v1/stages/7/standings?live=false").length;
      const before = reads();
      standings = [{ group_id: null, rows: [...STANDINGS[0].rows].reverse() }];
      version = 2;
      await vi.advanceTimersByTimeAsync(5_000);
      await settle(el);
      expect(reads()).toBe(before + 1);
      expect(all(el, "tbody tr").map((tr) => tr.getAttribute("data-team-id"))).toEqual(["13", "14", "11", "12"]);
      expect(fake.requests.filter((r) => r.url.pathname.endsWith("/standings")).at(-1)?.headers["If-None-Match"]).toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
