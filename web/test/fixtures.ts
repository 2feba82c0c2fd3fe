// Bodies as the public API answers them (shapes of api/public/types.py), for the widget tests.

import type { Leader, MatchDetail, MatchSummary, Stage, StandingsGroup, StandingsRow, Team } from "../src/common/types.js";

export const TEAMS: Team[] = [
  { id: 11, name: "Arsenal", short_name: "ARS", code: "ARS" },
  { id: 12, name: "Chelsea", short_name: "CHE", code: "CHE" },
  { id: 13, name: "Everton", short_name: "EVE", code: "EVE" },
  { id: 14, name: "Fulham", short_name: "FUL", code: "FUL" },
];

export const CRITERIA = {
  points: "points",
  goal_diff: "goal difference",
  goals_for: "goals scored",
  h2h_points: "points in the matches among the tied teams",
  unresolved: "level on every criterion: the regulation settles it (a play-off match or drawing of lots)",
};

export function stage(id: number, sport = "football"): Stage {
  return {
    id,
    name: "Regular season",
    kind: "league",
    ordinal: 1,
    regulation: sport === "football" ? "epl" : "khl",
    sport,
    season_id: 3,
    season_name: "2025/26",
    competition_id: 1,
    competition_name: "Premier League",
    groups: [],
  };
}

function row(position: number, team_id: number, fields: Partial<StandingsRow>): StandingsRow {
  return {
    position,
    rank: position,
    team_id,
    played: 10,
    won: 0,
    drawn: 0,
    lost: 0,
    ot_won: 0,
    ot_lost: 0,
    goals_for: 0,
    goals_against: 0,
    goal_diff: 0,
    points: 0,
    points_pct: 0,
    decided_by: "",
    unresolved: false,
    ...fields,
  };
}

export const STANDINGS: StandingsGroup[] = [
  {
    group_id: null,
    rows: [
      row(1, 12, { won: 7, drawn: 1, lost: 2, goals_for: 20, goals_against: 9, goal_diff: 11, points: 22 }),
      row(2, 11, { won: 6, drawn: 4, lost: 0, goals_for: 18, goals_against: 8, goal_diff: 10, points: 22, decided_by: "goal_diff" }),
      row(3, 14, { won: 5, drawn: 2, lost: 3, goals_for: 12, goals_against: 12, goal_diff: 0, points: 17, decided_by: "points", unresolved: true }),
      row(3, 13, { won: 5, drawn: 2, lost: 3, goals_for: 12, goals_against: 12, goal_diff: 0, points: 17, decided_by: "unresolved", unresolved: true, position: 4 }),
    ],
  },
];

export const LIVE_STANDINGS: StandingsGroup[] = [
  {
    group_id: null,
    rows: [
      row(1, 11, { played: 11, won: 7, drawn: 4, goals_for: 19, goals_against: 8, goal_diff: 11, points: 25 }),
      row(2, 12, { won: 7, drawn: 1, lost: 2, goals_for: 20, goals_against: 9, goal_diff: 11, points: 22, decided_by: "points" }),
      row(3, 14, { points: 17, decided_by: "points" }),
      row(4, 13, { points: 17, decided_by: "h2h_points" }),
    ],
  },
];

export const HOCKEY_STANDINGS: StandingsGroup[] = [
  {
    group_id: 5,
    rows: [
      row(1, 11, { won: 6, ot_won: 2, ot_lost: 1, lost: 1, points: 23 }),
      row(2, 12, { won: 5, ot_won: 1, ot_lost: 3, lost: 1, points: 20, decided_by: "points" }),
    ],
  },
];

export function matchDetail(fields: Partial<MatchDetail> = {}): MatchDetail {
  return {
    id: 123,
    stage_id: 7,
    sport: "football",
    round: 12,
    home_team_id: 11,
    away_team_id: 12,
    home_team_name: "Arsenal",
    away_team_name: "Chelsea",
    kickoff: "2026-03-01T15:00:00Z",
    status: "live",
    home_score: 1,
    away_score: 0,
    period_scores: [[1, 0]],
    decided_in: null,
    attendance: null,
    venue_id: null,
    events: [
      {
        id: 501, team_id: 11, kind: "goal", player_id: 901, assist1_id: 902, assist2_id: null, player_out_id: null,
        goalie_id: null, period: 1, minute: 23, stoppage: null, clock_seconds: null, strength: null, penalty_minutes: null, scored: null,
      },
      {
        id: 502, team_id: 12, kind: "yellow", player_id: 911, assist1_id: null, assist2_id: null, player_out_id: null,
        goalie_id: null, period: 1, minute: 45, stoppage: 2, clock_seconds: null, strength: null, penalty_minutes: null, scored: null,
      },
      {
        id: 503, team_id: 12, kind: "period_end", player_id: null, assist1_id: null, assist2_id: null, player_out_id: null,
        goalie_id: null, period: 1, minute: null, stoppage: null, clock_seconds: null, strength: null, penalty_minutes: null, scored: null,
      },
      {
        id: 504, team_id: 12, kind: "substitution", player_id: 912, assist1_id: null, assist2_id: null, player_out_id: 911,
        goalie_id: null, period: 2, minute: 46, stoppage: null, clock_seconds: null, strength: null, penalty_minutes: null, scored: null,
      },
      {
        id: 505, team_id: 11, kind: "shot", player_id: 901, assist1_id: null, assist2_id: null, player_out_id: null,
        goalie_id: null, period: 2, minute: 50, stoppage: null, clock_seconds: null, strength: null, penalty_minutes: null, scored: null,
      },
    ],
    lineups: [
      { team_id: 11, player_id: 901, number: 9, starter: true, position: "FW" },
      { team_id: 11, player_id: 902, number: 8, starter: true, position: "MF" },
      { team_id: 12, player_id: 911, number: 4, starter: true, position: "DF" },
      { team_id: 12, player_id: 912, number: 15, starter: false, position: "DF" },
    ],
    players: [
      { id: 901, first_name: "Bukayo", last_name: "Saka" },
      { id: 902, first_name: "Martin", last_name: "Odegaard" },
      { id: 911, first_name: "Reece", last_name: "James" },
      { id: 912, first_name: "Levi", last_name: "Colwill" },
    ],
    ...fields,
  };
}

export function summary(id: number, round: number, status: string, fields: Partial<MatchSummary> = {}): MatchSummary {
  const played = status === "finished" || status === "live";
  return {
    id,
    round,
    group_id: null,
    home_team_id: 11,
    away_team_id: 12,
    home_team_name: "Arsenal",
    away_team_name: "Chelsea",
    kickoff: `2026-03-${String(round).padStart(2, "0")}T15:00:00Z`,
    status,
    home_score: played ? 1 : null,
    away_score: played ? 0 : null,
    decided_in: status === "finished" ? "REG" : null,
    venue_id: null,
    ...fields,
  };
}

export function leader(player_id: number, goals: number, fields: Partial<Leader> = {}): Leader {
  return {
    player_id,
    team_id: 11,
    first_name: "Player",
    last_name: String(player_id),
    games: 10,
    goals,
    assists: 2,
    points: goals + 2,
    yellow_cards: 1,
    red_cards: 0,
    penalty_minutes: 0,
    shutouts: 0,
    save_pct: 0,
    goals_against_average: 0,
    ...fields,
  };
}
