// The public API's bodies as the widgets read them (api/public/types.py is the source of truth).

export interface Team {
  id: number;
  name: string;
  short_name: string | null;
  code: string | null;
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
}

export interface GroupRef {
  id: number;
  name: string;
}

export interface Stage {
  id: number;
  name: string;
  kind: string;
  ordinal: number;
  regulation: string;
  sport: string;
  season_id: number;
  season_name: string;
  competition_id: number;
  competition_name: string;
  groups: GroupRef[];
}

export interface StandingsRow {
  position: number;
  rank: number;
  team_id: number;
  played: number;
  won: number;
  drawn: number;
  lost: number;
  ot_won: number;
  ot_lost: number;
  goals_for: number;
  goals_against: number;
  goal_diff: number;
  points: number;
  points_pct: number;
  decided_by: string;
  unresolved: boolean;
}

export interface StandingsGroup {
  group_id: number | null;
  rows: StandingsRow[];
}

/** GET /v1/criteria: criterion name -> what it compares, in words. */
export type Criteria = Record<string, string>;

export type MatchStatus = "scheduled" | "live" | "finished" | "postponed" | "cancelled" | "awarded" | string;

export interface MatchSummary {
  id: number;
  round: number;
  group_id: number | null;
  home_team_id: number;
  away_team_id: number;
  home_team_name?: string;
  away_team_name?: string;
  kickoff: string | null;
  status: MatchStatus;
  home_score: number | null;
  away_score: number | null;
  decided_in: string | null;
  venue_id: number | null;
}

export interface MatchEvent {
  id: number;
  team_id: number;
  kind: string;
  player_id: number | null;
  assist1_id: number | null;
  assist2_id: number | null;
  player_out_id: number | null;
  goalie_id: number | null;
  period: number;
  minute: number | null;
  stoppage: number | null;
  clock_seconds: number | null;
  strength: string | null;
  penalty_minutes: number | null;
  scored: boolean | null;
}

export interface Lineup {
  team_id: number;
  player_id: number;
  number: number | null;
  starter: boolean;
  position: string | null;
}

export interface PlayerName {
  id: number;
  first_name: string;
  last_name: string;
}

export interface MatchDetail {
  id: number;
  stage_id: number;
  sport?: string;
  round: number;
  home_team_id: number;
  away_team_id: number;
  home_team_name?: string;
  away_team_name?: string;
  kickoff: string | null;
  status: MatchStatus;
  home_score: number | null;
  away_score: number | null;
  period_scores: number[][];
  decided_in: string | null;
  attendance: number | null;
  venue_id: number | null;
  events: MatchEvent[];
  lineups: Lineup[];
  players?: PlayerName[];
}

export interface Leader {
  player_id: number;
  team_id: number;
  first_name?: string;
  last_name?: string;
  games: number;
  goals: number;
  assists: number;
  points: number;
  yellow_cards: number;
  red_cards: number;
  penalty_minutes: number;
  shutouts: number;
  save_pct: number;
  goals_against_average: number;
}

export const LEADER_STATS = ["goals", "assists", "points", "cards", "goalies"] as const;
export type LeaderStat = (typeof LEADER_STATS)[number];
export type Leaderboards = Partial<Record<LeaderStat, Leader[]>>;

/** The body of a stage channel's state. */
export interface StageState {
  standings: StandingsGroup[];
  live_standings: StandingsGroup[];
}

/** A match notice's body (streams/notices.py Notice): the fields the widgets read. */
export interface Notice {
  id: string;
  kind: string;
  match_id?: number | null;
  team_id?: number | null;
  home_team_id?: number | null;
  away_team_id?: number | null;
  home_score?: number | null;
  away_score?: number | null;
  player_id?: number | null;
  period?: number | null;
  minute?: number | null;
  status?: string;
  card?: string;
  penalty_minutes?: number | null;
}

export const isHockey = (sport: string | undefined): boolean => (sport ?? "").includes("hockey");
