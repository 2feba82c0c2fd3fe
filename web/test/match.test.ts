import { describe, expect, it, onTestFinished, vi } from "vitest";
import { setEnvironment } from "../src/common/context.js";
import { applyNotice, REFETCH_MS, REFETCH_SPREAD_MS } from "../src/widgets/match.js";
import { FakeWebSocket } from "./fakes.js";
import { matchDetail } from "./fixtures.js";
import { all, BASE, mount, one, openSocket, page, rendered, root, settle, text } from "./helpers.js";

const score = (el: HTMLElement): [string, string] => [text(one(el, "[data-home-score]")), text(one(el, "[data-away-score]"))];

describe("<rstat-match>", () => {
  it("shows teams, score, status and period scores with stable hooks", async () => {
    page({ "/v1/matches/123": { body: matchDetail(), etag: '"m1"' } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[data-home-score]");
    expect(score(el)).toEqual(["1", "0"]);
    expect(one(el, "[part=score]").getAttribute("aria-live")).toBe("polite");
    expect(text(one(el, "[part=home]"))).toBe("Arsenal");
    expect(text(one(el, "[part=away]"))).toBe("Chelsea");
    expect(one(el, "[part=header]").getAttribute("data-match-id")).toBe("123");
    expect(one(el, "[part=status]").getAttribute("data-status")).toBe("live");
    expect(text(one(el, "[part=status] [part=badge]"))).toBe("live");
    expect(one(el, "[part=periods]").getAttribute("data-periods")).toBe("1:0");
  });

  it("lists the events in order, in words, without shots", async () => {
    page({ "/v1/matches/123": { body: matchDetail() } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[part=events] li");
    const items = all(el, "[part=events] li");
    expect(items.map((li) => li.getAttribute("data-kind"))).toEqual(["goal", "yellow", "period_end", "substitution"]);
    expect(text(items[0])).toContain("23'");
    expect(text(items[0])).toContain("Goal: Bukayo Saka, assist Martin Odegaard");
    expect(text(items[1])).toContain("45+2'");
    expect(text(items[1])).toContain("Yellow card: Reece James");
    expect(text(items[2])).toContain("End of the first half");
    expect(text(items[3])).toContain("Substitution: Levi Colwill for Reece James");
    expect(items[1].getAttribute("data-team-id")).toBe("12");
  });

  it("shows the line-ups: starters and substitutes per team", async () => {
    page({ "/v1/matches/123": { body: matchDetail() } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[part=lineups]");
    const away = one(el, '[part=lineups] [data-team-id="12"]');
    expect(text(away.querySelector('ul[data-starter="true"]'))).toContain("Reece James");
    expect(text(away.querySelector('ul[data-starter="false"]'))).toBe("15Levi Colwill DF");
  });

  it("words hockey events: strength, penalties with minutes, periods, shoot-out, clock times", async () => {
    const base = matchDetail().events[0];
    const hockey = matchDetail({
      sport: "ice-hockey",
      events: [
        { ...base, id: 1, kind: "goal", strength: "PP", assist2_id: 911, minute: null, clock_seconds: 425, period: 2 },
        { ...base, id: 2, kind: "penalty", player_id: 911, assist1_id: null, penalty_minutes: 2, minute: null, clock_seconds: 61, period: 1 },
        { ...base, id: 3, kind: "period_end", player_id: null, assist1_id: null, minute: null, period: 3 },
        { ...base, id: 4, kind: "shootout_attempt", assist1_id: null, scored: true, minute: null, period: 5 },
        { ...base, id: 5, kind: "period_end", player_id: null, assist1_id: null, minute: null, period: 4 },
      ],
      lineups: [],
    });
    page({ "/v1/matches/123": { body: hockey } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[part=events] li");
    expect(all(el, "[part=events] li").map(text)).toEqual([
      "P1 01:01 • Penalty, 2 min: Reece James",
      "P2 07:05 ⚽ Goal: Bukayo Saka (PP), assist Martin Odegaard, Reece James",
      "⏱ End of period 3",
      "⏱ End of overtime",
      "• Shoot-out: Bukayo Saka scored",
    ]);
  });

  it("names hockey penalties with their minutes and overtime periods", () => {
    const d = matchDetail({ sport: "ice-hockey", events: [] });
    const next = applyNotice(d, "penalty_called", { id: "penalty_called:77", kind: "penalty_called", team_id: 12, player_id: 911, period: 2, minute: 31, penalty_minutes: 2 });
    expect(next.events).toEqual([expect.objectContaining({ id: 77, kind: "penalty", penalty_minutes: 2, minute: 31, period: 2 })]);
    expect(d.events).toEqual([]);
  });

  it("moves the score and adds the goal as soon as the notice arrives, then reads the protocol again", async () => {
    const scorer = { id: 913, first_name: "Cole", last_name: "Palmer" };
    let detail = matchDetail();
    const fake = page({ "/v1/matches/123": () => ({ body: detail, etag: `"${detail.events.length}"` }) });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[data-home-score]");
    const ws = await openSocket();
    expect(ws.sent).toEqual([{ op: "subscribe", channels: ["match:123"] }]);
    ws.frame({ channel: "match:123", epoch: "e", seq: 1, kind: "state", body: detail });
    const requestsBefore = fake.requests.length;
    ws.frame({
      channel: "match:123", epoch: "e", seq: 2, kind: "goal_scored",
      body: { id: "goal_scored:506", kind: "goal_scored", match_id: 123, team_id: 12, player_id: 913, period: 2, minute: 60, home_score: 1, away_score: 1 },
    });
    await settle(el);
    expect(score(el)).toEqual(["1", "1"]);
    expect(one(el, '[data-event-id="506"]').getAttribute("data-kind")).toBe("goal");
    expect(fake.requests.length).toBe(requestsBefore); // not yet: debounced
    // the protocol as the API now has it: the goal with its assist and the scorer's name
    detail = matchDetail({
      home_score: 1,
      away_score: 1,
      players: [...(matchDetail().players ?? []), scorer],
      events: [...matchDetail().events, { ...matchDetail().events[0], id: 506, team_id: 12, player_id: 913, assist1_id: 912, period: 2, minute: 60 }],
    });
    await vi.waitFor(() => expect(text(one(el, '[data-event-id="506"]'))).toContain("Goal: Cole Palmer, assist Levi Colwill"));
    expect(fake.requests.at(-1)?.url.pathname).toBe("/v1/matches/123");
    expect(fake.requests.at(-1)?.headers["If-None-Match"]).toBe('"5"');
  });

  it("does not move the score back when the protocol read lags behind the notice, and reads it again", async () => {
    let detail = matchDetail();
    let version = 1;
    const fake = page({ "/v1/matches/123": () => ({ body: detail, etag: `"v${version}"` }) });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[data-home-score]");
    const ws = await openSocket();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      ws.frame({
        channel: "match:123", epoch: "e", seq: 2, kind: "goal_scored",
        body: { id: "goal_scored:506", kind: "goal_scored", team_id: 12, player_id: 912, period: 2, minute: 60, home_score: 1, away_score: 1 },
      });
      await vi.advanceTimersByTimeAsync(REFETCH_MS);
      await settle(el);
      const reads = fake.requests.filter((r) => r.url.pathname === "/v1/matches/123").length;
      expect(reads).toBe(2);
      expect(score(el)).toEqual(["1", "1"]);
      expect(root(el).querySelector('[data-event-id="506"]')).not.toBeNull();
      detail = matchDetail({ home_score: 1, away_score: 1, events: [...matchDetail().events, { ...matchDetail().events[0], id: 506, team_id: 12, player_id: 912, minute: 60, period: 2 }] });
      version = 2;
      await vi.advanceTimersByTimeAsync(2 * REFETCH_MS);
      await settle(el);
      expect(fake.requests.filter((r) => r.url.pathname === "/v1/matches/123").length).toBe(3);
      expect(text(one(el, '[data-event-id="506"]'))).toContain("Goal: Levi Colwill");
      await vi.advanceTimersByTimeAsync(60 * REFETCH_MS);
      expect(fake.requests.filter((r) => r.url.pathname === "/v1/matches/123").length).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("tells the page: rstat-ready, rstat-notice and rstat-error events", async () => {
    page({ "/v1/matches/123": { body: matchDetail() } });
    const seen: [string, unknown][] = [];
    const names = ["rstat-ready", "rstat-notice", "rstat-error"];
    const handlers = names.map((name) => (e: Event) => seen.push([name, (e as CustomEvent).detail]));
    names.forEach((name, i) => document.addEventListener(name, handlers[i]));
    onTestFinished(() => names.forEach((name, i) => document.removeEventListener(name, handlers[i])));
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await vi.waitFor(() => expect(seen.map(([n]) => n)).toContain("rstat-ready"));
    const ws = await openSocket();
    ws.frame({ channel: "match:123", epoch: "e", seq: 1, kind: "card_shown", body: { id: "card_shown:9", card: "red", team_id: 12, player_id: 911, minute: 70, period: 2 } });
    expect(seen.at(-1)).toEqual(["rstat-notice", { channel: "match:123", kind: "card_shown", body: expect.objectContaining({ card: "red" }) }]);
    await settle(el);
    expect(text(one(el, '[data-event-id="9"]'))).toContain("Red card: Reece James");
    ws.drop(4401);
    expect(seen.at(-1)).toEqual(["rstat-error", { message: "R-Stat: this website's API key is not valid", status: 401, code: "unauthorized" }]);
  });

  it("spreads the read after a notice over 2 s, and a 429 on it leaves the live data as it is", async () => {
    let status = 200;
    const fake = page({ "/v1/matches/123": () => (status === 200 ? { body: matchDetail() } : { status, body: { error: "too_many_requests", detail: "slow down" } }) });
    setEnvironment({ fetch: fake.fetch, WebSocket: FakeWebSocket, random: () => 0.99 });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[data-home-score]");
    const ws = await openSocket();
    status = 429;
    const reads = () => fake.requests.filter((r) => r.url.pathname === "/v1/matches/123").length;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      ws.frame({ channel: "match:123", epoch: "e", seq: 1, kind: "goal_scored", body: { id: "goal_scored:600", team_id: 12, player_id: 912, minute: 70, period: 2, home_score: 1, away_score: 1 } });
      await vi.advanceTimersByTimeAsync(REFETCH_MS + REFETCH_SPREAD_MS * 0.98);
      expect(reads()).toBe(1);
      await vi.advanceTimersByTimeAsync(REFETCH_SPREAD_MS * 0.02);
      expect(reads()).toBe(2);
      await settle(el);
      expect(score(el)).toEqual(["1", "1"]);
      expect(root(el).querySelector("[data-state=reconnecting]")).toBeNull();
      expect(root(el).querySelector("[role=alert]")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("takes the status from match_started and match_finished", async () => {
    page({ "/v1/matches/123": { body: matchDetail({ status: "scheduled", home_score: null, away_score: null, events: [], period_scores: [] }) } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[part=status]");
    expect(score(el)).toEqual(["", ""]);
    const ws = await openSocket();
    ws.frame({ channel: "match:123", epoch: "e", seq: 1, kind: "match_started", body: { id: "x", kind: "match_started", status: "live", home_score: null, away_score: null } });
    await settle(el);
    expect(one(el, "[part=status]").getAttribute("data-status")).toBe("live");
    ws.frame({ channel: "match:123", epoch: "e", seq: 2, kind: "match_finished", body: { id: "y", kind: "match_finished", status: "finished", home_score: 2, away_score: 0 } });
    await settle(el);
    expect(one(el, "[part=status]").getAttribute("data-status")).toBe("finished");
    expect(score(el)).toEqual(["2", "0"]);
  });

  it("keeps the last data and says reconnecting… when the network goes down", async () => {
    const fake = page({ "/v1/matches/123": { body: matchDetail() } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[data-home-score]");
    const ws = await openSocket();
    fake.down = true;
    ws.drop(1006);
    await settle(el);
    expect(text(one(el, '[data-state="reconnecting"]'))).toBe("reconnecting…");
    expect(score(el)).toEqual(["1", "0"]);
    expect(root(el).querySelector("[role=alert]")).toBeNull();
  });

  it("says the match does not exist, and a refused live credential as an alert", async () => {
    page({});
    const missing = mount("rstat-match", { match: "9", base: BASE, "api-key": "c:s" });
    await rendered(missing, "[role=alert]");
    expect(text(one(missing, "[role=alert]"))).toBe("R-Stat: match 9 does not exist or is not yours");
    page({ "/v1/matches/123": { body: matchDetail() } });
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[data-home-score]");
    const ws = await openSocket();
    ws.drop(4401, "unknown API key");
    await settle(el);
    expect(text(one(el, "[role=alert]"))).toBe("R-Stat: this website's API key is not valid");
  });

  it("shows an error when the server cannot be reached before any data came", async () => {
    const fake = page({ "/v1/matches/123": { body: matchDetail() } });
    fake.down = true;
    const el = mount("rstat-match", { match: "123", base: BASE, "api-key": "c:s" });
    await rendered(el, "[role=alert]");
    expect(text(one(el, "[role=alert]"))).toContain("cannot reach the statistics server");
  });
});
