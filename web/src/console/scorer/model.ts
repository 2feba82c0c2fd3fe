// The scorer's page as data: the admin API's rows it reads, what an entry of the outbox carries, and the pure
// rules of a match sheet: the score counted from the goal events (never typed), the shoot-out tally, the
// period names of each sport, the result a final whistle proposes, and an event in words.

export type Sport = "football" | "ice-hockey";

export interface MatchRow {
  id: number;
  stage_id: number;
  home_team_id: number;
  away_team_id: number;
  status: string;
  home_score: number | null;
  away_score: number | null;
  period_scores: number[][];
  decided_in: string | null;
  kickoff: string | null;
  round: number;
}

export type EventKind =
  | "goal"
  | "own_goal"
  | "penalty_goal"
  | "penalty_miss"
  | "yellow"
  | "second_yellow"
  | "red"
  | "penalty"
  | "substitution"
  | "shot"
  | "save"
  | "goalie_change"
  | "shootout_attempt"
  | "period_end";

/** an event as the scorer writes it (the create body, without the match) */
export interface EventDraft {
  team_id: number;
  kind: EventKind;
  period: number;
  player_id?: number | null;
  assist1_id?: number | null;
  assist2_id?: number | null;
  player_out_id?: number | null;
  goalie_id?: number | null;
  minute?: number | null;
  stoppage?: number | null;
  clock_seconds?: number | null;
  strength?: "EV" | "PP" | "SH" | "EN" | null;
  penalty_minutes?: number | null;
  infraction?: string | null;
  scored?: boolean | null;
}

export interface EventRow extends EventDraft {
  id: number;
  match_id: number;
}

export interface LineupRow {
  id: number;
  match_id: number;
  team_id: number;
  player_id: number;
  number: number | null;
  starter: boolean;
  position: string | null;
}

export interface RosterRow {
  id: number;
  team_id: number;
  player_id: number;
  number: number | null;
  position: string | null;
}

export interface PlayerRow {
  id: number;
  first_name: string;
  last_name: string;
}

export interface TeamRow {
  id: number;
  name: string;
  short_name: string | null;
  code: string | null;
}

/** a line-up as the scorer wants it: one team's players (the rest of the roster does not play) */
export interface LineupChoice {
  team_id: number;
  player_id: number;
  number: number | null;
  starter: boolean;
  position: string | null;
}

/** What an outbox entry of this page carries, to be shown before the server has it. */
export type EntryMeta =
  | { kind: "event"; event: EventDraft }
  | { kind: "undo"; event: EventRow }
  | { kind: "match"; label: string; fields: Partial<MatchRow> }
  | { kind: "lineups"; team_id: number; lineups: LineupChoice[] };

export const GOALS: readonly EventKind[] = ["goal", "penalty_goal", "own_goal"];
export const CARDS: readonly EventKind[] = ["yellow", "second_yellow", "red"];

export interface SportRules {
  regular: number;
  /** the shoot-out's period number */
  shootout: number;
  /** football: minutes from kick-off at each period's start, and each period's length */
  offsets: number[];
  lengths: number[];
  assists: number;
  goalie: string;
}

export const RULES: Record<Sport, SportRules> = {
  football: { regular: 2, shootout: 5, offsets: [0, 45, 90, 105], lengths: [45, 45, 15, 15], assists: 1, goalie: "GK" },
  "ice-hockey": { regular: 3, shootout: 5, offsets: [], lengths: [20, 20, 20, 5], assists: 2, goalie: "G" },
};

export function sportOf(value: unknown): Sport {
  return value === "ice-hockey" ? "ice-hockey" : "football";
}

export function periodName(sport: Sport, period: number): string {
  const rules = RULES[sport];
  if (period >= rules.shootout) return "Shoot-out";
  if (sport === "ice-hockey") return period <= 3 ? `Period ${period}` : period === 4 ? "Overtime" : `Overtime ${period - 3}`;
  return ["1st half", "2nd half", "Extra time, 1st half", "Extra time, 2nd half"][period - 1] ?? `Period ${period}`;
}

export interface Score {
  home: number;
  away: number;
  /** shoot-out goals (not part of the score: the winner gets one more goal in the result) */
  shootout: { home: number; away: number };
}

/** The score of a list of events: goals of any kind count for their team_id (an own goal's team_id is the
 * team credited with it, as the API and the statistics read it); shoot-out attempts are counted apart. */
export function scoreOf(events: readonly EventDraft[], match: Pick<MatchRow, "home_team_id" | "away_team_id">): Score {
  const score: Score = { home: 0, away: 0, shootout: { home: 0, away: 0 } };
  for (const e of events) {
    const side = e.team_id === match.home_team_id ? "home" : e.team_id === match.away_team_id ? "away" : null;
    if (side === null) continue;
    if (GOALS.includes(e.kind)) score[side] += 1;
    else if (e.kind === "shootout_attempt" && e.scored) score.shootout[side] += 1;
  }
  return score;
}

export interface FinalResult {
  home_score: number;
  away_score: number;
  decided_in: "REG" | "OT" | "SO";
  period_scores: number[][];
}

/** What the final whistle proposes: the goals' score, the shoot-out winner's extra goal, where it was decided
 * (REG, OT, SO) and the goals of each period played before a shoot-out. */
export function finalResult(sport: Sport, events: readonly EventDraft[], match: MatchRow): FinalResult {
  const rules = RULES[sport];
  const score = scoreOf(events, match);
  const shootout = events.some((e) => e.kind === "shootout_attempt");
  const played = Math.max(rules.regular, ...events.filter((e) => e.kind !== "shootout_attempt").map((e) => e.period));
  const periods = Array.from({ length: Math.min(played, rules.shootout - 1) }, (_v, i) => {
    const inPeriod = events.filter((e) => e.period === i + 1);
    const s = scoreOf(inPeriod, match);
    return [s.home, s.away];
  });
  let { home, away } = score;
  if (shootout && score.shootout.home !== score.shootout.away) {
    if (score.shootout.home > score.shootout.away) home += 1;
    else away += 1;
  }
  const decided = shootout ? "SO" : played > rules.regular ? "OT" : "REG";
  return { home_score: home, away_score: away, decided_in: decided, period_scores: periods };
}

export function playerName(players: Readonly<Record<number, PlayerRow>>, id: number | null | undefined): string {
  if (id === null || id === undefined) return "";
  const p = players[id];
  if (p === undefined) return `player ${id}`;
  return [p.first_name, p.last_name].filter(Boolean).join(" ");
}

/** When an event happened, as the page shows it: 23', 45+2', P2 12:04. */
export function whenText(sport: Sport, e: EventDraft): string {
  if (e.kind === "shootout_attempt") return "SO";
  if (sport === "ice-hockey" || e.minute === null || e.minute === undefined) {
    if (e.clock_seconds === null || e.clock_seconds === undefined) return periodName(sport, e.period);
    return `${sport === "ice-hockey" ? (e.period <= 3 ? `P${e.period}` : "OT") : periodName(sport, e.period)} ${clockText(e.clock_seconds)}`;
  }
  return e.stoppage ? `${e.minute}+${e.stoppage}'` : `${e.minute}'`;
}

export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

const KIND_TEXT: Record<EventKind, string> = {
  goal: "Goal",
  own_goal: "Own goal",
  penalty_goal: "Penalty goal",
  penalty_miss: "Penalty missed",
  yellow: "Yellow card",
  second_yellow: "Second yellow card",
  red: "Red card",
  penalty: "Penalty",
  substitution: "Substitution",
  shot: "Shot",
  save: "Save",
  goalie_change: "Goalie change",
  shootout_attempt: "Shoot-out attempt",
  period_end: "End of period",
};

/** An event in words: "Goal: Harry Kane (PP), assist Son Heung-min — Lions". */
export function eventText(
  sport: Sport,
  e: EventDraft,
  players: Readonly<Record<number, PlayerRow>>,
  teams: Readonly<Record<number, TeamRow>>,
): string {
  const who = playerName(players, e.player_id);
  const team = teams[e.team_id]?.name ?? `team ${e.team_id}`;
  if (e.kind === "period_end") return `End of ${periodName(sport, e.period).toLowerCase()}`;
  let text = KIND_TEXT[e.kind];
  if (e.kind === "penalty" && e.penalty_minutes) text += `, ${e.penalty_minutes} min`;
  if (e.kind === "shootout_attempt") text += e.scored ? ", scored" : ", missed";
  const details: string[] = [];
  if (e.kind === "substitution") {
    details.push(`${who || "?"} on for ${playerName(players, e.player_out_id) || "?"}`);
  } else if (e.kind === "goalie_change") {
    details.push(e.goalie_id ? `${playerName(players, e.goalie_id)} in goal` : "empty net");
  } else if (who) {
    details.push(who);
  }
  if (e.strength && e.strength !== "EV") details.push(e.strength);
  const assists = [e.assist1_id, e.assist2_id].filter((a): a is number => typeof a === "number");
  if (assists.length) details.push(`assist ${assists.map((a) => playerName(players, a)).join(", ")}`);
  if (e.infraction) details.push(e.infraction);
  return `${text}${details.length ? `: ${details.join(", ")}` : ""} — ${team}`;
}

/** what a status means for the scorer */
export const CLOSED_STATUSES = ["finished", "awarded", "postponed", "cancelled"];
