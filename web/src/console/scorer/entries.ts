// From what the scorer does to the API calls of an outbox entry, and from the server's rows plus the outbox
// back to what the page shows. A goal is two calls: the event, then the match's score counted from every
// goal (the public match row shows it, and a match centre compares it with the goal notices); an undo is the
// event's delete (so the correction flows through the statistics) and the score again.

import type { Entry, Operation, Refusal } from "../offline/types.js";
import type { MatchContext } from "./data.js";
import {
  type EntryMeta,
  type EventDraft,
  type EventRow,
  GOALS,
  type LineupChoice,
  type LineupRow,
  type MatchRow,
  scoreOf,
} from "./model.js";

export type ScorerEntry = Entry<EntryMeta>;

export function eventOps(org: number, match: MatchRow, event: EventDraft, scoreAfter: EventDraft[]): Operation[] {
  const ops: Operation[] = [{ method: "POST", path: `/v1/orgs/${org}/match_events`, body: { match_id: match.id, ...event } }];
  if (GOALS.includes(event.kind)) ops.push(scoreOp(org, match, scoreAfter));
  return ops;
}

export function undoOps(org: number, match: MatchRow, event: EventRow, scoreAfter: EventDraft[]): Operation[] {
  const ops: Operation[] = [{ method: "DELETE", path: `/v1/orgs/${org}/match_events/${event.id}` }];
  if (GOALS.includes(event.kind)) ops.push(scoreOp(org, match, scoreAfter));
  return ops;
}

export function scoreOp(org: number, match: MatchRow, events: EventDraft[]): Operation {
  const score = scoreOf(events, match);
  return matchOp(org, match, { home_score: score.home, away_score: score.away });
}

export function matchOp(org: number, match: MatchRow, fields: Partial<MatchRow>): Operation {
  return { method: "PATCH", path: `/v1/orgs/${org}/matches/${match.id}`, body: fields };
}

/** The calls that make a team's line-up what the scorer chose: new players added, changed rows patched,
 * players taken out deleted. */
export function lineupOps(org: number, matchId: number, existing: readonly LineupRow[], wanted: readonly LineupChoice[]): Operation[] {
  const base = `/v1/orgs/${org}/lineups`;
  const byPlayer = new Map(existing.map((row) => [row.player_id, row]));
  const ops: Operation[] = [];
  const kept = new Set<number>();
  for (const choice of wanted) {
    const row = byPlayer.get(choice.player_id);
    kept.add(choice.player_id);
    if (row === undefined) {
      ops.push({ method: "POST", path: base, body: { match_id: matchId, ...choice } });
    } else if (row.starter !== choice.starter || (row.position ?? null) !== choice.position || (row.number ?? null) !== choice.number) {
      ops.push({
        method: "PATCH",
        path: `${base}/${row.id}`,
        body: { starter: choice.starter, position: choice.position, number: choice.number },
      });
    }
  }
  for (const row of existing) if (!kept.has(row.player_id)) ops.push({ method: "DELETE", path: `${base}/${row.id}` });
  return ops;
}

export type ItemState = "pending" | "sent" | "conflict";

/** One line of the page's list of entries. */
export interface Item {
  key: string;
  state: ItemState;
  /** the event it shows (a server row, or the draft of a pending entry) */
  event: EventDraft | null;
  /** the server row, once the server has it */
  row: EventRow | null;
  entry: ScorerEntry | null;
  refusal: Refusal | null;
}

/** The id of the event an entry created, when its first call was accepted already. */
export function createdId(entry: ScorerEntry): number | null {
  if (entry.meta.kind !== "event" || entry.done < 1) return null;
  const answer = entry.answers[0] as { id?: unknown } | null;
  return typeof answer?.id === "number" ? answer.id : null;
}

/** Server events (less those an entry of the outbox is deleting or still holds), then the outbox's entries,
 * in the order they were made. */
export function itemsOf(events: readonly EventRow[], entries: readonly ScorerEntry[]): Item[] {
  const hidden = new Set<number>();
  for (const entry of entries) {
    if (entry.meta.kind === "undo") hidden.add(entry.meta.event.id);
    const created = createdId(entry);
    if (created !== null) hidden.add(created);
  }
  const sent: Item[] = events
    .filter((e) => !hidden.has(e.id))
    .map((e) => ({ key: `e${e.id}`, state: "sent", event: e, row: e, entry: null, refusal: null }));
  const waiting: Item[] = entries.map((entry) => ({
    key: `q${entry.id}`,
    state: entry.state,
    event: entry.meta.kind === "event" ? entry.meta.event : entry.meta.kind === "undo" ? entry.meta.event : null,
    row: null,
    entry,
    refusal: entry.refusal,
  }));
  return [...sent, ...waiting];
}

/** The events the protocol will have once the outbox is sent: what the score and the final whistle count. */
export function protocolOf(events: readonly EventRow[], entries: readonly ScorerEntry[]): EventDraft[] {
  return itemsOf(events, entries)
    .filter((item) => item.event !== null && item.entry?.meta.kind !== "undo")
    .map((item) => item.event as EventDraft);
}

/** The line-up of each team as it will be: the last line-up entry of a team waiting in the outbox, else
 * the server's rows. */
export function lineupsOf(context: MatchContext, entries: readonly ScorerEntry[]): LineupChoice[] {
  const waiting = new Map<number, LineupChoice[]>();
  for (const entry of entries) if (entry.meta.kind === "lineups") waiting.set(entry.meta.team_id, entry.meta.lineups);
  const server = context.lineups.filter((row) => !waiting.has(row.team_id));
  return [...server, ...[...waiting.values()].flat()];
}

/** The event the Undo button takes back: the last event entered (waiting or sent), not an undo itself. */
export function lastEvent(items: readonly Item[]): Item | undefined {
  return [...items].reverse().find((item) => item.event !== null && item.entry?.meta.kind !== "undo");
}
