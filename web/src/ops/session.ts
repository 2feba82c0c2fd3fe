// The operator's session: an access token from the identity app (email + password), kept in
// sessionStorage (gone with the tab) and refreshed before it expires with the rotating refresh token.

export interface Tokens {
  access_token: string;
  refresh_token: string | null;
  /** milliseconds since the epoch */
  expires_at: number;
}

export const STORAGE_KEY = "rstat-ops-session";
/** refresh this long before the access token expires */
export const REFRESH_EARLY_MS = 30_000;

export type Fetch = typeof fetch;

export class LoginError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function loadTokens(storage: Storage): Tokens | null {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const found = JSON.parse(raw) as Tokens;
    return typeof found.access_token === "string" ? found : null;
  } catch {
    return null;
  }
}

export function saveTokens(storage: Storage, tokens: Tokens | null): void {
  if (tokens === null) storage.removeItem(STORAGE_KEY);
  else storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
}

interface TokenOut {
  access_token: string;
  expires_in: number;
  refresh_token?: string | null;
}

async function post(fetcher: Fetch, url: string, body: unknown, keep: string | null): Promise<Tokens> {
  let answer: Response;
  try {
    answer = await fetcher(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new LoginError("cannot reach the identity server", 0);
  }
  if (!answer.ok) {
    const detail = await answer
      .json()
      .then((body: { detail?: string }) => body.detail ?? "")
      .catch(() => "");
    const message = answer.status === 401 ? "wrong email or password" : `the identity server answered ${answer.status}`;
    throw new LoginError(detail && answer.status !== 401 ? `${message} (${detail})` : message, answer.status);
  }
  const found = (await answer.json()) as TokenOut;
  return {
    access_token: found.access_token,
    refresh_token: found.refresh_token ?? keep,
    expires_at: Date.now() + found.expires_in * 1000,
  };
}

export function login(fetcher: Fetch, identity: string, email: string, password: string): Promise<Tokens> {
  return post(fetcher, `${identity}/v1/token`, { email, password }, null);
}

export function refresh(fetcher: Fetch, identity: string, tokens: Tokens): Promise<Tokens> {
  if (!tokens.refresh_token) return Promise.reject(new LoginError("no refresh token", 401));
  return post(fetcher, `${identity}/v1/token/refresh`, { refresh_token: tokens.refresh_token }, null);
}
