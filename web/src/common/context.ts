// The page's shared data layer: one context per (base, credential), holding the HTTP client (ETag cache),
// the team names, the criteria texts and ONE live connection that every widget of that context shares.
//
// Tests (and pages with special needs) inject fetch and WebSocket with setEnvironment().
//
// Debugging surface for browser tests, on window.rstat:
//   rstat.connections() -> [{base, state: "idle"|"connecting"|"open"|"polling"|"closed", channels: [...]}]
//   rstat.version       -> the bundle's version string

import { HttpClient, type Credential, type FetchLike } from "./http.js";
import { LiveConnection, type WebSocketFactory } from "./live.js";
import type { Criteria, Page, Team } from "./types.js";
import { LEADER_STATS } from "./types.js";

export interface Environment {
  fetch: FetchLike;
  WebSocket: WebSocketFactory;
  random: () => number;
}

const defaults = (): Environment => ({
  // no-cache: always ask the server (the client's own If-None-Match makes that cheap), never an HTTP-cached copy
  fetch: (url, init) => globalThis.fetch(url, { headers: init.headers, mode: "cors", cache: "no-cache" }),
  WebSocket: globalThis.WebSocket as unknown as WebSocketFactory,
  random: Math.random,
});

let environment: Partial<Environment> = {};
const contexts = new Map<string, RstatContext>();

/** Replace fetch / WebSocket / random for every context made afterwards. */
export function setEnvironment(overrides: Partial<Environment>): void {
  environment = overrides;
}

/** Stop every live connection and forget every context (tests). */
export function resetContexts(): void {
  for (const context of contexts.values()) context.live.stop();
  contexts.clear();
}

export const TEAM_PAGE = 500;

export class RstatContext {
  readonly http: HttpClient;
  readonly live: LiveConnection;
  /** Math.random unless a test injected another */
  readonly random: () => number;
  private teamsRequest: Promise<Map<number, Team>> | null = null;
  private criteriaRequest: Promise<Criteria> | null = null;

  constructor(
    readonly base: string,
    readonly credential: Credential | null,
    env: Environment,
  ) {
    this.http = new HttpClient(base, credential, env.fetch);
    this.random = env.random;
    const query = credential === null ? null : { name: credential.kind, value: credential.value };
    this.live = new LiveConnection(base, query, {
      WebSocket: env.WebSocket,
      random: env.random,
      poll: (channel) => this.pollChannel(channel),
    });
  }

  /** Every team of the organization by id (pages of 500), read once per page load. */
  teams(): Promise<Map<number, Team>> {
    if (this.teamsRequest === null) {
      this.teamsRequest = this.loadTeams();
      this.teamsRequest.catch(() => (this.teamsRequest = null));
    }
    return this.teamsRequest;
  }

  private async loadTeams(): Promise<Map<number, Team>> {
    const teams = new Map<number, Team>();
    for (let offset = 0; ; offset += TEAM_PAGE) {
      const page = await this.http.get<Page<Team>>("/v1/teams", { limit: TEAM_PAGE, offset });
      for (const team of page.items) teams.set(team.id, team);
      if (page.items.length < TEAM_PAGE) return teams;
    }
  }

  /** GET /v1/criteria, read once; an empty mapping when the route fails (the widgets fall back to names). */
  criteria(): Promise<Criteria> {
    if (this.criteriaRequest === null) {
      this.criteriaRequest = this.http.get<Criteria>("/v1/criteria").catch(() => {
        this.criteriaRequest = null;
        return {};
      });
    }
    return this.criteriaRequest;
  }

  /** A channel's state over REST: what the polling fallback delivers. */
  async pollChannel(channel: string): Promise<unknown> {
    const [kind, id, sub] = channel.split(":");
    if (kind === "match") return this.http.get(`/v1/matches/${id}`);
    if (kind === "stage" && sub === "predictions") {
      const [predictions, odds] = await Promise.all([
        this.http.get(`/v1/stages/${id}/predictions`),
        this.http.get(`/v1/stages/${id}/odds`),
      ]);
      return { predictions, odds };
    }
    if (kind === "stage") {
      const [standings, live] = await Promise.all([
        this.http.get(`/v1/stages/${id}/standings`, { live: false }),
        this.http.get(`/v1/stages/${id}/standings`, { live: true }),
      ]);
      return { standings, live_standings: live };
    }
    if (kind === "season") {
      const boards = await Promise.all(
        LEADER_STATS.map((stat) => this.http.get(`/v1/seasons/${id}/leaders/${stat}`, { limit: 100 })),
      );
      return Object.fromEntries(LEADER_STATS.map((stat, i) => [stat, boards[i]]));
    }
    throw new Error(`no REST route for channel ${channel}`);
  }
}

export function contextFor(base: string, credential: Credential | null): RstatContext {
  const key = `${base}\n${credential?.kind ?? ""}\n${credential?.value ?? ""}`;
  let context = contexts.get(key);
  if (context === undefined) {
    context = new RstatContext(base, credential, { ...defaults(), ...environment });
    contexts.set(key, context);
  }
  return context;
}

export function connections(): { base: string; state: string; channels: string[] }[] {
  return [...contexts.values()].map((context) => context.live.describe());
}

function meta(name: string): string | null {
  const content = document.querySelector(`meta[name="${name}"]`)?.getAttribute("content");
  return content ? content.trim() : null;
}

function bundleOrigin(): string {
  try {
    const origin = new URL(import.meta.url).origin;
    return origin === "null" ? location.origin : origin;
  } catch {
    return location.origin;
  }
}

/** Where a widget reads from and with what: its attributes, else the page's meta tags, else the bundle's origin. */
export function resolveConfig(element: Element): { base: string; credential: Credential | null } {
  const base = element.getAttribute("base") || meta("rstat-base") || bundleOrigin();
  const key = element.getAttribute("api-key");
  const token = element.getAttribute("token");
  let credential: Credential | null = null;
  if (key) credential = { kind: "api_key", value: key.trim() };
  else if (token) credential = { kind: "token", value: token.trim() };
  else {
    const metaKey = meta("rstat-api-key");
    const metaToken = meta("rstat-token");
    if (metaKey) credential = { kind: "api_key", value: metaKey };
    else if (metaToken) credential = { kind: "token", value: metaToken };
  }
  return { base: new URL(base, location.href).toString().replace(/\/$/, ""), credential };
}

export function installDebug(version: string): void {
  const target = globalThis as unknown as { rstat?: object };
  target.rstat = { ...(target.rstat ?? {}), version, connections };
}
