// The console's one door to the servers: the identity app (log in, refresh, log out, a public token for
// reading standings) and the admin API (everything the console changes). Every admin call goes through
// AdminClient.request, which adds the bearer token, refreshes it shortly before it expires, and turns each
// failure into an ApiError (the server answered) or an OfflineError (it could not be reached), so callers
// never parse an error body themselves.

import { type Session, SessionStore, type TokenOut } from "./session.js";

export type Fetch = typeof fetch;

/** The server answered with an error document: `{status_code, error, detail, rule?, fields?, rows?...}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** the stable code: unauthorized, forbidden, not_found, conflict, invalid, too_many_requests, ... */
    readonly code: string,
    readonly detail: string,
    /** the whole error document (rule, fields, rows, ... when the server gave them) */
    readonly body: Record<string, unknown>,
  ) {
    super(detail);
  }

  /** the protocol rule a 409 names (lineup, suspension, score_matches_goals, match_closed, ...) */
  get rule(): string | undefined {
    return typeof this.body.rule === "string" ? this.body.rule : undefined;
  }
}

/** The server could not be reached (no network, server down): the request may be retried as it is. */
export class OfflineError extends Error {
  constructor(readonly url: string) {
    super("cannot reach the server: check the connection");
  }
}

export interface Endpoints {
  identity: string;
  admin: string;
  public: string;
}

/** refresh this long before the access token expires */
export const REFRESH_EARLY_MS = 60_000;

async function errorOf(answer: Response): Promise<ApiError> {
  const body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
  const detail = typeof body.detail === "string" && body.detail ? body.detail : `the server answered ${answer.status}`;
  const code = typeof body.error === "string" ? body.error : String(answer.status);
  return new ApiError(answer.status, code, detail, body);
}

async function send(fetcher: Fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetcher(url, init);
  } catch {
    throw new OfflineError(url);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** extra headers, e.g. Idempotency-Key */
  headers?: Record<string, string>;
  /** query parameters (undefined values are left out) */
  query?: Record<string, string | number | boolean | undefined>;
}

export class AdminClient {
  private refreshing: Promise<Session> | null = null;

  constructor(
    readonly endpoints: Endpoints,
    readonly store: SessionStore,
    readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  get session(): Session | null {
    return this.store.load();
  }

  /** Log in with email and password; the session (tokens, user's organizations) is kept in the store. */
  async login(email: string, password: string): Promise<Session> {
    const answer = await send(this.fetcher, `${this.endpoints.identity}/v1/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (answer.status === 401) throw new ApiError(401, "unauthorized", "wrong email or password", {});
    if (!answer.ok) throw await errorOf(answer);
    const session = this.store.fromTokens((await answer.json()) as TokenOut, email);
    this.store.save(session);
    return session;
  }

  /** Revoke the refresh token and the access token at the identity app, then forget the session. A failure
   * to reach the server still forgets the session here (the tokens then expire on their own). */
  async logout(): Promise<void> {
    const session = this.store.load();
    this.store.save(null);
    if (!session) return;
    await send(this.fetcher, `${this.endpoints.identity}/v1/token/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.access_token}` },
      body: JSON.stringify({ refresh_token: session.refresh_token }),
    }).catch(() => undefined);
  }

  /** A fresh access token: refreshed with the rotating refresh token when it expires within
   * REFRESH_EARLY_MS (one refresh at a time, however many requests wait for it). */
  async accessToken(): Promise<string> {
    const session = this.store.load();
    if (!session) throw new ApiError(401, "unauthorized", "your session has ended: sign in again", {});
    if (session.expires_at - Date.now() > REFRESH_EARLY_MS) return session.access_token;
    this.refreshing ??= this.refresh(session).finally(() => (this.refreshing = null));
    return (await this.refreshing).access_token;
  }

  /** Refresh now, whatever the expiry: the user's organizations or roles changed (a new organization),
   * and only a new access token carries them. */
  async forceRefresh(): Promise<Session> {
    const session = this.store.load();
    if (!session) throw new ApiError(401, "unauthorized", "your session has ended: sign in again", {});
    this.refreshing ??= this.refresh(session).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async refresh(session: Session): Promise<Session> {
    const answer = await send(this.fetcher, `${this.endpoints.identity}/v1/token/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
    if (answer.status === 401) {
      this.store.save(null);
      throw new ApiError(401, "unauthorized", "your session has expired: sign in again", {});
    }
    if (!answer.ok) throw await errorOf(answer);
    const renewed = this.store.fromTokens((await answer.json()) as TokenOut, session.email);
    this.store.save(renewed);
    return renewed;
  }

  /** One admin API call: `request("GET", "/v1/orgs/1/teams", {query: {limit: 50}})`. 204 gives undefined. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const token = await this.accessToken();
    const url = new URL(`${this.endpoints.admin}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...options.headers };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const answer = await send(this.fetcher, url.toString(), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (answer.status === 401) {
      const error = await errorOf(answer);
      this.store.save(null);
      throw new ApiError(401, error.code, `your session has ended (${error.detail}): sign in again`, error.body);
    }
    if (!answer.ok) throw await errorOf(answer);
    if (answer.status === 204) return undefined as T;
    return (await answer.json()) as T;
  }

  /** A public-audience token for reading an organization's public API (standings, leaders) as its member,
   * from the identity app; widgets take it as their `token`. */
  async publicToken(orgId: number): Promise<TokenOut> {
    const token = await this.accessToken();
    const answer = await send(this.fetcher, `${this.endpoints.identity}/v1/member-token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ org_id: orgId }),
    });
    if (!answer.ok) throw await errorOf(answer);
    return (await answer.json()) as TokenOut;
  }
}
