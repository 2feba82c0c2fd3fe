// The scorer's pure rules: the score from the goal events (own goals for the team credited), the result a
// final whistle proposes, the clock's minutes, the calls an entry makes, and what the list shows.

import { describe, expect, it } from "vitest";
import * as clocks from "../../src/console/scorer/clock.js";
import type { MatchContext } from "../../src/console/scorer/data.js";
import { eventOps, itemsOf, lastEvent, lineupOps, protocolOf, type ScorerEntry, undoOps } from "../../src/console/scorer/entries.js";
import { choicesOf, draftOf } from "../../src/console/scorer/lineup.js";
import { type EventRow, eventText, finalResult, type MatchRow, periodName, scoreOf, whenText } from "../../src/console/scorer/model.js";
import { actionsFor, type Draft, draftEvent } from "../../src/console/scorer/sheet.js";

const MATCH: MatchRow = {
  id: 7,
  stage_id: 3,
  home_team_id: 10,
  away_team_id: 20,
  status: "live",
  home_score: 0,
  away_score: 0,
  period_scores: [],
  decided_in: null,
  kickoff: null,
  round: 1,
};

const row = (id: number, fields: Partial<EventRow>): EventRow => ({ id, match_id: 7, team_id: 10, kind: "goal", period: 1, ...fields });

function entry(id: string, meta: ScorerEntry["meta"], extra: Partial<ScorerEntry> = {}): ScorerEntry {
  return { id, scope: "s", seq: 1, made_at: 0, ops: [], done: 0, answers: [], state: "pending", refusal: null, meta, ...extra };
}

describe("the score", () => {
  it("counts goals, penalty goals and own goals for the team credited, and the shoot-out apart", () => {
    const events = [
      row(1, { kind: "goal" }),
      row(2, { kind: "own_goal", team_id: 20 }),
      row(3, { kind: "penalty_goal", team_id: 20 }),
      row(4, { kind: "penalty_miss" }),
      row(5, { kind: "shootout_attempt", scored: true, period: 5 }),
      row(6, { kind: "shootout_attempt", scored: false, period: 5, team_id: 20 }),
    ];
    expect(scoreOf(events, MATCH)).toEqual({ home: 1, away: 2, shootout: { home: 1, away: 0 } });
  });

  it("proposes the final result: REG, OT after a period past the regular ones, SO with the winner's extra goal", () => {
    const regular = [row(1, {}), row(2, { period: 2, team_id: 20 })];
    expect(finalResult("football", regular, MATCH)).toEqual({ home_score: 1, away_score: 1, decided_in: "REG", period_scores: [[1, 0], [0, 1]] });
    const overtime = [...regular, row(3, { period: 4 })];
    expect(finalResult("ice-hockey", overtime, MATCH)).toMatchObject({ home_score: 2, away_score: 1, decided_in: "OT" });
    expect(finalResult("ice-hockey", overtime, MATCH).period_scores).toEqual([[1, 0], [0, 1], [0, 0], [1, 0]]);
    const shootout = [...regular, row(4, { kind: "shootout_attempt", scored: true, period: 5, team_id: 20 })];
    expect(finalResult("ice-hockey", shootout, MATCH)).toMatchObject({ home_score: 1, away_score: 2, decided_in: "SO" });
  });

  it("names periods and times as a scorer says them", () => {
    expect(periodName("football", 2)).toBe("2nd half");
    expect(periodName("football", 3)).toBe("Extra time, 1st half");
    expect(periodName("ice-hockey", 4)).toBe("Overtime");
    expect(periodName("ice-hockey", 5)).toBe("Shoot-out");
    expect(whenText("football", row(1, { minute: 45, stoppage: 2 }))).toBe("45+2'");
    expect(whenText("ice-hockey", row(1, { period: 2, clock_seconds: 754 }))).toBe("P2 12:34");
    const players = { 1: { id: 1, first_name: "Ben", last_name: "Okafor" }, 2: { id: 2, first_name: "", last_name: "Price" } };
    const teams = { 10: { id: 10, name: "Lions", short_name: null, code: null } };
    expect(eventText("ice-hockey", row(1, { player_id: 1, assist1_id: 2, strength: "PP" }), players, teams)).toBe(
      "Goal: Ben Okafor, PP, assist Price — Lions",
    );
  });
});

describe("the clock", () => {
  it("gives football's minute from kick-off, with stoppage time past a half's length", () => {
    const now = 1_000_000;
    let clock = clocks.start(clocks.fresh(1), now);
    expect(clocks.eventTime("football", clock, now + 30_000)).toEqual({ minute: 1, stoppage: null, clock_seconds: null });
    expect(clocks.eventTime("football", clock, now + 23 * 60_000)).toMatchObject({ minute: 24 });
    expect(clocks.eventTime("football", clock, now + 46.5 * 60_000)).toMatchObject({ minute: 45, stoppage: 2 });
    clock = clocks.pause(clock, now + 10 * 60_000);
    expect(clocks.eventTime("football", clock, now + 99 * 60_000)).toMatchObject({ minute: 11 }); // paused
    const second = clocks.start(clocks.nextPeriod(clock), now);
    expect(second.period).toBe(2);
    expect(clocks.eventTime("football", second, now + 60_000)).toMatchObject({ minute: 47 });
    expect(clocks.displaySeconds("football", second, now + 60_000)).toBe(46 * 60);
  });

  it("gives hockey's seconds into the period", () => {
    const clock = clocks.setElapsed(clocks.fresh(2), 754, 0);
    expect(clocks.eventTime("ice-hockey", clock, 5000)).toEqual({ minute: null, stoppage: null, clock_seconds: 754 });
  });
});

describe("an entry's calls", () => {
  it("a goal is the event, then the score counted with it; a card is the event alone", () => {
    const goal = { team_id: 10, kind: "goal" as const, period: 1, player_id: 4 };
    expect(eventOps(1, MATCH, goal, [goal])).toEqual([
      { method: "POST", path: "/v1/orgs/1/match_events", body: { match_id: 7, ...goal } },
      { method: "PATCH", path: "/v1/orgs/1/matches/7", body: { home_score: 1, away_score: 0 } },
    ]);
    expect(eventOps(1, MATCH, { team_id: 20, kind: "yellow", period: 1 }, [])).toHaveLength(1);
    expect(undoOps(1, MATCH, row(9, {}), [])).toEqual([
      { method: "DELETE", path: "/v1/orgs/1/match_events/9" },
      { method: "PATCH", path: "/v1/orgs/1/matches/7", body: { home_score: 0, away_score: 0 } },
    ]);
  });

  it("a line-up adds, changes and removes rows to match the choice", () => {
    const existing = [
      { id: 1, match_id: 7, team_id: 10, player_id: 100, number: 1, starter: true, position: "GK" },
      { id: 2, match_id: 7, team_id: 10, player_id: 101, number: 2, starter: true, position: null },
      { id: 3, match_id: 7, team_id: 10, player_id: 102, number: 3, starter: true, position: null },
    ];
    const wanted = [
      { team_id: 10, player_id: 100, number: 1, starter: true, position: "GK" },
      { team_id: 10, player_id: 101, number: 2, starter: false, position: null },
      { team_id: 10, player_id: 103, number: 4, starter: true, position: null },
    ];
    expect(lineupOps(1, 7, existing, wanted)).toEqual([
      { method: "PATCH", path: "/v1/orgs/1/lineups/2", body: { starter: false, position: null, number: 2 } },
      { method: "POST", path: "/v1/orgs/1/lineups", body: { match_id: 7, ...wanted[2] } },
      { method: "DELETE", path: "/v1/orgs/1/lineups/3" },
    ]);
  });

  it("a line-up draft marks the goalie with the sport's position", () => {
    const context = {
      sport: "ice-hockey",
      roster: [
        { id: 1, team_id: 10, player_id: 100, number: 30, position: "G" },
        { id: 2, team_id: 10, player_id: 101, number: 9, position: "C" },
      ],
    } as unknown as MatchContext;
    const draft = { ...draftOf(context, [], 10), goalie: 100 };
    draft.parts = { 100: "starter", 101: "bench" };
    expect(choicesOf(context, draft)).toEqual([
      { team_id: 10, player_id: 100, number: 30, starter: true, position: "G" },
      { team_id: 10, player_id: 101, number: 9, starter: false, position: "C" },
    ]);
  });
});

describe("the list of entries", () => {
  it("shows server events, then the outbox's entries; an undo hides its event; a half-sent entry its own", () => {
    const events = [row(1, {}), row(2, { kind: "yellow" }), row(3, { team_id: 20 })];
    const undo = entry("u", { kind: "undo", event: events[1] });
    const halfSent = entry("h", { kind: "event", event: { team_id: 20, kind: "goal", period: 1 } }, { done: 1, answers: [{ id: 3 }] });
    const pending = entry("p", { kind: "event", event: { team_id: 10, kind: "red", period: 1 } }, { state: "conflict" });
    const items = itemsOf(events, [undo, halfSent, pending]);
    expect(items.map((i) => [i.key, i.state])).toEqual([
      ["e1", "sent"],
      ["qu", "pending"],
      ["qh", "pending"],
      ["qp", "conflict"],
    ]);
    expect(protocolOf(events, [undo, halfSent, pending]).map((e) => e.kind)).toEqual(["goal", "goal", "red"]);
    expect(lastEvent(items)?.key).toBe("qp");
    expect(lastEvent(items.slice(0, 2))?.key).toBe("e1"); // an undo is not taken back by Undo
  });
});

describe("the entry sheet", () => {
  const draft: Draft = {
    action: "goal",
    team: null,
    player: null,
    assist1: null,
    assist2: null,
    player_out: null,
    goalie: null,
    strength: "EV",
    penalty_minutes: 2,
    infraction: "",
    scored: null,
    minute: 12,
    stoppage: null,
    clock_seconds: null,
    period: 1,
    roster: false,
  };

  it("asks for what is missing, in words, and writes only the fields the action has", () => {
    expect(draftEvent("football", draft)).toBe("Choose the team.");
    expect(draftEvent("football", { ...draft, action: "yellow", team: 10 })).toBe("Choose the player.");
    expect(draftEvent("football", { ...draft, action: "substitution", team: 10, player: 1 })).toContain("going off");
    expect(draftEvent("football", { ...draft, team: 10, player: 4, assist1: 5 })).toEqual({
      team_id: 10,
      kind: "goal",
      period: 1,
      player_id: 4,
      assist1_id: 5,
      minute: 12,
    });
    expect(draftEvent("ice-hockey", { ...draft, team: 10, player: 4, strength: "PP", minute: null, clock_seconds: 61 })).toEqual({
      team_id: 10,
      kind: "goal",
      period: 1,
      player_id: 4,
      strength: "PP",
      clock_seconds: 61,
    });
    expect(draftEvent("ice-hockey", { ...draft, action: "penalty", team: 20, player: 8, penalty_minutes: 5 })).toMatchObject({
      kind: "penalty",
      penalty_minutes: 5,
    });
  });

  it("gives each sport its buttons, and the shoot-out only its attempts", () => {
    expect(actionsFor("football", false)).toContain("yellow");
    expect(actionsFor("ice-hockey", false)).toContain("penalty");
    expect(actionsFor("ice-hockey", false)).not.toContain("own_goal");
    expect(actionsFor("football", true)).toEqual(["shootout_attempt"]);
  });
});
