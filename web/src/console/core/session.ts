// The signed-in user's session, kept in localStorage so that the scorer's page, installed as an app, opens
// with its session after a restart without a connection (sessionStorage would be gone). The access token
// says which organizations the user belongs to and with which role; the console reads them from it to
// shape itself (the server checks every request again).

export type Role = "viewer" | "scorer" | "editor" | "owner";

export interface Session {
  email: string;
  /** the user id (the token's subject) */
  subject: string;
  access_token: string;
  refresh_token: string | null;
  /** milliseconds since the epoch */
  expires_at: number;
  /** organization id -> the user's role in it */
  orgs: Record<string, Role>;
}

export const STORAGE_KEY = "rstat-console-session";

/** Roles from the least to the most rights: a role may do what any role before it may. */
export const ROLE_ORDER: readonly Role[] = ["viewer", "scorer", "editor", "owner"];

export function atLeast(role: Role | undefined, least: Role): boolean {
  return role !== undefined && ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(least);
}

/** The claims of a JWT, unverified: only to shape the page (the servers verify the token). */
export function claimsOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    return JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** what the identity app answers a sign-in, a refresh and a member token with */
export interface TokenOut {
  access_token: string;
  expires_in: number;
  refresh_token?: string | null;
}

export class SessionStore {
  constructor(
    readonly storage: Storage,
    readonly key: string = STORAGE_KEY,
  ) {}

  load(): Session | null {
    try {
      const raw = this.storage.getItem(this.key);
      if (!raw) return null;
      const found = JSON.parse(raw) as Session;
      return typeof found.access_token === "string" ? found : null;
    } catch {
      return null;
    }
  }

  save(session: Session | null): void {
    if (session === null) this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, JSON.stringify(session));
  }

  fromTokens(tokens: TokenOut, email: string): Session {
    const claims = claimsOf(tokens.access_token);
    const orgs = (claims.orgs ?? {}) as Record<string, Role>;
    const previous = this.load();
    return {
      email,
      subject: String(claims.sub ?? ""),
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? previous?.refresh_token ?? null,
      expires_at: Date.now() + tokens.expires_in * 1000,
      orgs,
    };
  }
}
