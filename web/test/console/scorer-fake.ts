// A fake admin API for the scorer's page: one football match with its stage, season, competition, teams,
// rosters and players, and the protocol rules the real API applies to events (the line-up, a closed match)
// and the Idempotency-Key (the same key answers the first answer, writes nothing).

import { AdminClient } from "../../src/console/core/api.js";
import { SessionStore } from "../../src/console/core/session.js";

type Row = Record<string, unknown> & { id: number };

export interface Call {
  method: string;
  path: string;
  body: unknown;
  key: string | null;
}

export const HOME = 10;
export const AWAY = 20;

export class FakeAdmin {
  readonly calls: Call[] = [];
  down = false;
  sport = "football";
  match: Row = {
    id: 7,
    stage_id: 3,
    home_team_id: HOME,
    away_team_id: AWAY,
    status: "live",
    home_score: 0,
    away_score: 0,
    period_scores: [],
    decided_in: null,
    kickoff: null,
    round: 1,
  };
  events: Row[] = [];
  lineups: Row[] = [];
  readonly roster: Row[] = [];
  readonly players: Record<number, Row> = {};
  private readonly keys = new Map<string, unknown>();
  private nextId = 500;

  constructor() {
    for (const team of [HOME, AWAY]) {
      for (let n = 1; n <= 4; n += 1) {
        const id = team * 10 + n;
        this.players[id] = { id, first_name: team === HOME ? "Home" : "Away", last_name: `Player ${n}` };
        this.roster.push({ id, season_id: 2, team_id: team, player_id: id, number: n, position: n === 1 ? "GK" : "FW" });
      }
    }
  }

  /** the writes the page sent (reads left out) */
  writes(): Call[] {
    return this.calls.filter((c) => c.method !== "GET");
  }

  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    this.calls.push({ method, path: url.pathname + url.search, body, key: headers["Idempotency-Key"] ?? null });
    if (this.down) return Promise.reject(new TypeError("Failed to fetch"));
    const [status, answer] = this.answer(method, url, body, headers["Idempotency-Key"] ?? null);
    return Promise.resolve(new Response(status === 204 ? null : JSON.stringify(answer), { status }));
  };

  private answer(method: string, url: URL, body: Record<string, unknown> | undefined, key: string | null): [number, unknown] {
    const parts = url.pathname.split("/").slice(4); // after /v1/orgs/1
    const [resource, id] = [parts[0], Number(parts[1])];
    const page = (items: unknown[]): [number, unknown] => [200, { items, total: items.length, limit: 500, offset: 0 }];
    const q = url.searchParams;
    if (method === "GET") {
      switch (resource) {
        case "matches":
          return [200, this.match];
        case "stages":
          return [200, { id, season_id: 2 }];
        case "seasons":
          return [200, { id, competition_id: 1 }];
        case "competitions":
          return [200, { id, sport: this.sport, name: "League" }];
        case "teams":
          return [200, { id, name: id === HOME ? "Lions" : "Tigers", short_name: null, code: null }];
        case "players":
          return this.players[id] ? [200, this.players[id]] : [404, { error: "not_found", detail: "no such player" }];
        case "roster_entries":
          return page(this.roster.filter((r) => r.team_id === Number(q.get("team_id"))));
        case "lineups":
          return page(this.lineups);
        case "match_events":
          return page(this.events);
      }
    }
    if (method === "POST" && key !== null && this.keys.has(key)) return [201, this.keys.get(key)];
    if (method === "POST" && resource === "match_events") {
      if (["finished", "awarded", "postponed", "cancelled"].includes(String(this.match.status))) {
        return [409, { error: "conflict", detail: `match 7 is ${String(this.match.status)}: a scorer can no longer change its events`, rule: "match_closed", match_status: this.match.status }];
      }
      const listed = new Set(this.lineups.map((l) => l.player_id));
      if (this.lineups.length && body?.player_id && !listed.has(body.player_id)) {
        return [409, { error: "conflict", detail: `player ${String(body.player_id)} is not in the line-up of match 7`, rule: "lineup" }];
      }
      const row = { id: this.nextId++, ...body };
      this.events.push(row);
      if (key !== null) this.keys.set(key, row);
      return [201, row];
    }
    if (method === "POST" && resource === "lineups") {
      const row = { id: this.nextId++, ...body };
      this.lineups.push(row);
      if (key !== null) this.keys.set(key, row);
      return [201, row];
    }
    if (method === "PATCH" && resource === "matches") {
      this.match = { ...this.match, ...body };
      return [200, this.match];
    }
    if (method === "DELETE" && resource === "match_events") {
      const before = this.events.length;
      this.events = this.events.filter((e) => e.id !== id);
      return this.events.length < before ? [204, null] : [404, { error: "not_found", detail: "gone" }];
    }
    return [404, { error: "not_found", detail: `no route ${method} ${url.pathname}` }];
  }
}

/** A client signed in as a scorer of organization 1, on the fake's network. */
export function scorerClient(fake: FakeAdmin): AdminClient {
  const store = new SessionStore(localStorage, `test-session-${Math.random()}`);
  store.save({
    email: "scorer@example.org",
    subject: "3",
    access_token: "a.b.c",
    refresh_token: "r",
    expires_at: Date.now() + 3_600_000,
    orgs: { "1": "scorer" },
  });
  return new AdminClient({ identity: "https://id.example", admin: "https://admin.example", public: "https://pub.example" }, store, fake.fetch);
}
