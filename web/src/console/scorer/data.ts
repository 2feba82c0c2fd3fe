// What the scorer's page reads from the admin API for one match: the match, its sport (stage → season →
// competition), the two teams, their season rosters, the players' names, the line-ups and the events. The
// whole is kept on the device after each read (a snapshot), so that the page reloaded without a connection
// still shows the match, its players and its entries.

import type { AdminClient } from "../core/api.js";
import type {
  EventRow,
  LineupRow,
  MatchRow,
  PlayerRow,
  RosterRow,
  Sport,
  TeamRow,
} from "./model.js";
import { sportOf } from "./model.js";

export interface MatchContext {
  match: MatchRow;
  sport: Sport;
  season_id: number;
  competition: string;
  teams: Record<number, TeamRow>;
  roster: RosterRow[];
  players: Record<number, PlayerRow>;
  lineups: LineupRow[];
  events: EventRow[];
  /** ms since the epoch of this read */
  read_at: number;
}

interface Page<T> {
  items: T[];
  total: number;
}

/** every list of this page is small (a match's events, a team's roster): one page of the largest size */
const PAGE = 500;
/** player names read at once */
const PARALLEL = 6;

async function all<T>(client: AdminClient, path: string, query: Record<string, number>): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.request<Page<T>>("GET", path, { query: { ...query, limit: PAGE, offset } });
    items.push(...page.items);
    if (page.items.length < PAGE || items.length >= page.total) return items;
  }
}

/** The names of `ids` not already known, read a few at a time (the API lists players without a filter). */
export async function readPlayers(
  client: AdminClient,
  org: number,
  ids: Iterable<number>,
  known: Record<number, PlayerRow>,
): Promise<Record<number, PlayerRow>> {
  const missing = [...new Set(ids)].filter((id) => known[id] === undefined);
  const found: Record<number, PlayerRow> = { ...known };
  for (let i = 0; i < missing.length; i += PARALLEL) {
    const rows = await Promise.all(
      missing.slice(i, i + PARALLEL).map((id) => client.request<PlayerRow>("GET", `/v1/orgs/${org}/players/${id}`)),
    );
    for (const row of rows) found[row.id] = row;
  }
  return found;
}

export function eventPlayers(events: readonly EventRow[]): number[] {
  return events.flatMap((e) =>
    [e.player_id, e.assist1_id, e.assist2_id, e.player_out_id, e.goalie_id].filter((p): p is number => typeof p === "number"),
  );
}

export async function readMatch(
  client: AdminClient,
  org: number,
  matchId: number,
  known: Record<number, PlayerRow> = {},
): Promise<MatchContext> {
  const base = `/v1/orgs/${org}`;
  const match = await client.request<MatchRow>("GET", `${base}/matches/${matchId}`);
  const stage = await client.request<{ season_id: number }>("GET", `${base}/stages/${match.stage_id}`);
  const season = await client.request<{ competition_id: number }>("GET", `${base}/seasons/${stage.season_id}`);
  const [competition, home, away, lineups, events, homeRoster, awayRoster] = await Promise.all([
    client.request<{ sport: string; name: string }>("GET", `${base}/competitions/${season.competition_id}`),
    client.request<TeamRow>("GET", `${base}/teams/${match.home_team_id}`),
    client.request<TeamRow>("GET", `${base}/teams/${match.away_team_id}`),
    all<LineupRow>(client, `${base}/lineups`, { match_id: matchId }),
    all<EventRow>(client, `${base}/match_events`, { match_id: matchId }),
    all<RosterRow>(client, `${base}/roster_entries`, { season_id: stage.season_id, team_id: match.home_team_id }),
    all<RosterRow>(client, `${base}/roster_entries`, { season_id: stage.season_id, team_id: match.away_team_id }),
  ]);
  const roster = [...homeRoster, ...awayRoster];
  const ids = [...roster.map((r) => r.player_id), ...lineups.map((l) => l.player_id), ...eventPlayers(events)];
  const players = await readPlayers(client, org, ids, known);
  return {
    match,
    sport: sportOf(competition.sport),
    season_id: stage.season_id,
    competition: competition.name,
    teams: { [home.id]: home, [away.id]: away },
    roster,
    players,
    lineups,
    events: events.sort((a, b) => a.id - b.id),
    read_at: Date.now(),
  };
}
