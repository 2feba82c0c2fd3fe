// <rstat-scorer> on a fake admin API: the match as the server has it, a goal in four taps (with its
// Idempotency-Key and the score after it), entries kept pending while the server cannot be reached and sent
// once it can, a refusal in words that the scorer discards, undo of a pending and of a sent entry.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryStore } from "../../src/console/offline/store.js";
import "../../src/console/scorer/element.js";
import type { RstatScorer } from "../../src/console/scorer/element.js";
import { AWAY, FakeAdmin, HOME, scorerClient } from "./scorer-fake.js";

let fake: FakeAdmin;
let store: MemoryStore;

function mount(): RstatScorer {
  const element = document.createElement("rstat-scorer");
  element.openStore = () => Promise.resolve(store);
  element.storage = null;
  element.client = scorerClient(fake);
  element.org = 1;
  element.match = 7;
  document.body.append(element);
  return element;
}

const $ = (el: RstatScorer, selector: string): HTMLElement => {
  const found = el.shadowRoot?.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`no ${selector} in <rstat-scorer>: ${el.shadowRoot?.textContent?.replace(/\s+/g, " ")}`);
  return found;
};
const $$ = (el: RstatScorer, selector: string): HTMLElement[] => [...(el.shadowRoot?.querySelectorAll<HTMLElement>(selector) ?? [])];
const text = (el: HTMLElement): string => (el.textContent ?? "").replace(/\s+/g, " ").trim();

async function click(el: RstatScorer, selector: string): Promise<void> {
  $(el, selector).click();
  await el.updateComplete;
}

async function button(el: RstatScorer, name: string): Promise<void> {
  const found = $$(el, "button").find((b) => text(b) === name);
  if (!found) throw new Error(`no button ${name}`);
  found.click();
  await el.updateComplete;
}

async function loaded(): Promise<RstatScorer> {
  const el = mount();
  await vi.waitFor(() => expect(el.shadowRoot?.querySelector("header.match")).not.toBeNull());
  return el;
}

async function goal(el: RstatScorer, side: "home" | "away", player: number): Promise<void> {
  await click(el, "button[data-action=goal]");
  await click(el, `button[data-pick=team][data-value=${side}]`);
  await click(el, `button[data-pick=player][data-value="${player}"]`);
  await button(el, "Save");
}

const states = (el: RstatScorer): string[] => $$(el, "ul.entries li").map((li) => li.dataset.entryState ?? "");

beforeEach(() => {
  fake = new FakeAdmin();
  store = new MemoryStore();
  document.body.innerHTML = "";
});

afterEach(() => {
  document.body.innerHTML = "";
});

describe("<rstat-scorer>", () => {
  it("shows the teams, the score counted from the goal events and the buttons of the sport", async () => {
    fake.events = [
      { id: 1, match_id: 7, team_id: HOME, kind: "goal", period: 1, minute: 3, player_id: 102 },
      { id: 2, match_id: 7, team_id: AWAY, kind: "yellow", period: 1, minute: 9, player_id: 203 },
    ];
    const el = await loaded();
    expect(text($(el, "[data-team=home]"))).toBe("Lions");
    expect(text($(el, "[data-home-score]"))).toBe("1");
    expect(text($(el, "[data-away-score]"))).toBe("0");
    expect(states(el)).toEqual(["sent", "sent"]);
    expect(text($$(el, "ul.entries li")[0])).toContain("Yellow card: Away Player 3 — Tigers");
    for (const name of ["Goal", "Own goal", "Yellow card", "Red card", "Substitution", "Period end", "Undo", "Final whistle"]) {
      expect($$(el, ".pad button").map(text)).toContain(name);
    }
    expect($(el, "[data-connection]").dataset.connection).toBe("online");
  });

  it("enters a goal: the event with an Idempotency-Key, then the score", async () => {
    const el = await loaded();
    await goal(el, "home", 102);
    await vi.waitFor(() => expect(states(el)).toEqual(["sent"]));
    const [post, patch] = fake.writes();
    expect(post).toMatchObject({ method: "POST", path: "/v1/orgs/1/match_events", body: { match_id: 7, team_id: HOME, kind: "goal", player_id: 102, period: 1 } });
    expect(post.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(patch).toMatchObject({ method: "PATCH", path: "/v1/orgs/1/matches/7", body: { home_score: 1, away_score: 0 } });
    expect(text($(el, "[data-home-score]"))).toBe("1");
  });

  it("keeps entries pending while the server cannot be reached, and sends them once, in order, when it can", async () => {
    const el = await loaded();
    fake.down = true;
    await goal(el, "home", 102);
    await click(el, "button[data-action=yellow]");
    await click(el, "button[data-pick=team][data-value=away]");
    await click(el, 'button[data-pick=player][data-value="203"]');
    await button(el, "Save");
    await vi.waitFor(() => expect($(el, "[data-connection]").dataset.connection).toBe("offline"));
    expect(states(el)).toEqual(["pending", "pending"]);
    expect(text($(el, "[data-home-score]"))).toBe("1"); // counted while pending
    expect(await store.list("org:1:match:7")).toHaveLength(2); // on the device

    fake.down = false;
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(states(el)).toEqual(["sent", "sent"]));
    expect(fake.events.map((e) => e.kind)).toEqual(["goal", "yellow"]);
    const posts = fake.calls.filter((c) => c.method === "POST");
    expect(new Set(posts.filter((c) => c.body && (c.body as { kind: string }).kind === "goal").map((c) => c.key)).size).toBe(1);
    expect($(el, "[data-connection]").dataset.connection).toBe("online");
    expect(await store.list("org:1:match:7")).toEqual([]);
  });

  it("shows a refusal in words and lets the scorer discard it", async () => {
    fake.lineups = [{ id: 1, match_id: 7, team_id: HOME, player_id: 101, number: 1, starter: true, position: "GK" }];
    const el = await loaded();
    await click(el, "button[data-action=goal]");
    await click(el, "button[data-pick=team][data-value=home]");
    expect($$(el, 'button[data-pick=player][data-value="103"]')).toHaveLength(0); // not in the line-up
    await button(el, "Whole roster");
    await click(el, 'button[data-pick=player][data-value="103"]');
    await button(el, "Save");
    await vi.waitFor(() => expect(states(el)).toEqual(["conflict"]));
    expect(text($(el, "[role=alert]"))).toContain("player 103 is not in the line-up of match 7");
    await button(el, "Discard");
    await vi.waitFor(() => expect(states(el)).toEqual([]));
    expect($$(el, "[role=alert]")).toHaveLength(0);
    await vi.waitFor(() => expect(fake.match.home_score).toBe(0)); // the score sent without the refused goal
    expect(fake.events).toEqual([]);
  });

  it("a match finished by someone else: the conflict waits for the scorer, who reopens the match and sends", async () => {
    const el = await loaded();
    fake.match.status = "finished";
    fake.match.decided_in = "REG";
    await goal(el, "away", 202);
    await vi.waitFor(() => expect(states(el)).toEqual(["conflict"]));
    expect($(el, "[data-conflict]").dataset.conflict).toBe("match_closed");
    expect($(el, "[data-status]").dataset.status).toBe("finished");
    await button(el, "Reopen match and send");
    await vi.waitFor(() => expect(states(el)).toEqual(["sent"]));
    expect(fake.match).toMatchObject({ status: "live", decided_in: null, away_score: 1 });
  });

  it("undoes a pending entry without a request, and a sent one with a delete and the score", async () => {
    const el = await loaded();
    await goal(el, "home", 102);
    await vi.waitFor(() => expect(states(el)).toEqual(["sent"]));
    fake.down = true;
    await goal(el, "away", 202);
    await vi.waitFor(() => expect(states(el)).toEqual(["pending", "sent"]));
    const calls = fake.calls.length;
    await button(el, "Undo");
    await button(el, "Confirm undo");
    await vi.waitFor(() => expect(states(el)).toEqual(["sent"]));
    expect(fake.calls.length).toBe(calls); // nothing asked of the server
    fake.down = false;
    await button(el, "Undo");
    expect(text($(el, "[aria-label='Confirm undo']"))).toContain("Goal: Home Player 2");
    await button(el, "Confirm undo");
    await vi.waitFor(() => expect(fake.events).toEqual([]));
    await vi.waitFor(() => expect(states(el)).toEqual([]));
    expect(fake.writes().slice(-2).map((c) => [c.method, c.path, c.body])).toEqual([
      ["DELETE", `/v1/orgs/1/match_events/${500}`, undefined],
      ["PATCH", "/v1/orgs/1/matches/7", { home_score: 0, away_score: 0 }],
    ]);
    expect(text($(el, "[data-home-score]"))).toBe("0");
  });

  it("final whistle: the result counted from the goals, where it was decided, the periods", async () => {
    fake.events = [{ id: 1, match_id: 7, team_id: AWAY, kind: "goal", period: 2, minute: 70 }];
    const el = await loaded();
    await button(el, "Final whistle");
    expect(text($(el, "[aria-label='Confirm final whistle']"))).toContain("Lions 0–1 Tigers");
    await button(el, "Confirm final whistle");
    await vi.waitFor(() => expect(fake.match.status).toBe("finished"));
    expect(fake.match).toMatchObject({ home_score: 0, away_score: 1, decided_in: "REG", period_scores: [[0, 0], [0, 1]] });
  });

  it("a hockey match has penalty minutes and the goal's strength", async () => {
    fake.sport = "ice-hockey";
    const el = await loaded();
    expect($$(el, ".pad button").map(text)).toContain("Penalty minutes");
    await click(el, "button[data-action=penalty]");
    await click(el, "button[data-pick=team][data-value=away]");
    await click(el, 'button[data-pick=player][data-value="203"]');
    await click(el, 'button[data-pick=penalty_minutes][data-value="5"]');
    await button(el, "Save");
    await vi.waitFor(() => expect(fake.events).toHaveLength(1));
    expect(fake.events[0]).toMatchObject({ kind: "penalty", penalty_minutes: 5, player_id: 203, clock_seconds: 0 });
    await click(el, "button[data-action=goal]");
    await click(el, "button[data-pick=team][data-value=home]");
    await click(el, 'button[data-pick=strength][data-value="PP"]');
    await button(el, "Save");
    await vi.waitFor(() => expect(fake.events).toHaveLength(2));
    expect(fake.events[1]).toMatchObject({ kind: "goal", strength: "PP", team_id: HOME });
  });

  it("saves a line-up from the roster: starters, substitutes and the goalie", async () => {
    fake.match.status = "scheduled";
    const el = await loaded();
    expect($$(el, "section.lineups")).toHaveLength(1); // a scheduled match without line-ups starts there
    await click(el, 'li[data-player="101"] button[data-part=starter]');
    await click(el, 'li[data-player="101"] button[data-part=goalie]');
    await click(el, 'li[data-player="102"] button[data-part=starter]');
    await click(el, 'li[data-player="103"] button[data-part=bench]');
    await button(el, "Save line-up");
    await vi.waitFor(() => expect(fake.lineups).toHaveLength(3));
    expect(fake.lineups.map((l) => [l.player_id, l.starter, l.position])).toEqual([
      [101, true, "GK"],
      [102, true, "FW"],
      [103, false, "FW"],
    ]);
  });

  it("hockey: three periods, then a shoot-out whose winner gets the extra goal (SO)", async () => {
    fake.sport = "ice-hockey";
    const el = await loaded();
    for (let period = 1; period <= 3; period += 1) {
      expect(text($(el, ".clock .period"))).toBe(`Period ${period}`);
      await click(el, "button[data-action=period_end]");
    }
    await vi.waitFor(() => expect(fake.events.map((e) => [e.kind, e.period])).toEqual([["period_end", 1], ["period_end", 2], ["period_end", 3]]));
    expect(text($(el, ".clock .period"))).toBe("Overtime");
    await button(el, "Shoot-out");
    expect($$(el, ".pad button[data-action]").map((b) => b.dataset.action)).toEqual(["shootout_attempt", "undo", "final"]);
    await click(el, "button[data-action=shootout_attempt]");
    await click(el, "button[data-pick=team][data-value=away]");
    await click(el, 'button[data-pick=player][data-value="202"]');
    await button(el, "Save");
    expect(text($(el, ".sheet .problem"))).toBe("Say whether the attempt scored.");
    await click(el, 'button[data-pick=scored][data-value="true"]');
    await button(el, "Save");
    await vi.waitFor(() => expect(fake.events).toHaveLength(4));
    expect(fake.events[3]).toMatchObject({ kind: "shootout_attempt", period: 5, scored: true, team_id: AWAY });
    expect(text($(el, ".shootout"))).toBe("Shoot-out 0–1");
    await button(el, "Final whistle");
    await button(el, "Confirm final whistle");
    await vi.waitFor(() => expect(fake.match.status).toBe("finished"));
    expect(fake.match).toMatchObject({ home_score: 0, away_score: 1, decided_in: "SO" });
  });
});
