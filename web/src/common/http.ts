// The widgets' HTTP client: one per (base, credential) on a page (see context.ts).
// - adds the credential (X-API-Key: <client id>:<secret>, or Authorization: Bearer <token>);
// - remembers the last ETag and body per URL, sends If-None-Match and reuses the body on 304 (the very
//   same object, so callers can tell "unchanged" with ===);
// - shares one request between callers asking for the same URL at the same time;
// - turns every failure into an ApiError: status 0 for the network, else the API's {"error", "detail"}.

export interface Credential {
  kind: "api_key" | "token";
  value: string;
}

/** The part of a fetch Response the client reads (a real one fits; tests pass plain objects). */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type FetchLike = (url: string, init: { headers: Record<string, string> }) => Promise<ResponseLike>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
  }

  get network(): boolean {
    return this.status === 0;
  }
}

export function authHeaders(credential: Credential | null): Record<string, string> {
  if (credential === null) return {};
  return credential.kind === "api_key"
    ? { "X-API-Key": credential.value }
    : { Authorization: `Bearer ${credential.value}` };
}

const CODES: Record<number, string> = { 401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "too_many_requests" };

async function errorOf(response: ResponseLike): Promise<ApiError> {
  let code = CODES[response.status] ?? (response.status >= 500 ? "server_error" : "bad_request");
  let detail = "";
  try {
    const text = await response.text();
    detail = text.slice(0, 300);
    const body = JSON.parse(text) as { error?: unknown; detail?: unknown };
    if (typeof body.error === "string") code = body.error;
    if (typeof body.detail === "string") detail = body.detail;
  } catch {
    // not JSON: keep the text as the detail
  }
  const retry = Number(response.headers.get("Retry-After"));
  return new ApiError(response.status, code, detail, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export class HttpClient {
  private readonly cache = new Map<string, { etag: string; body: unknown }>();
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    readonly base: string,
    readonly credential: Credential | null,
    private readonly fetchImpl: FetchLike,
  ) {}

  url(path: string, params: Record<string, string | number | boolean | null | undefined> = {}): string {
    // under the base's path too (a base of https://example.org/stats serves /stats/v1/...)
    const url = new URL(`${this.base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`);
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** GET a JSON body; an unchanged one (304) is the object returned before. */
  get<T>(path: string, params: Record<string, string | number | boolean | null | undefined> = {}): Promise<T> {
    const url = this.url(path, params);
    let request = this.pending.get(url);
    if (request === undefined) {
      request = this.fetchJson(url).finally(() => this.pending.delete(url));
      this.pending.set(url, request);
    }
    return request as Promise<T>;
  }

  private async fetchJson(url: string): Promise<unknown> {
    const headers: Record<string, string> = { Accept: "application/json", ...authHeaders(this.credential) };
    const cached = this.cache.get(url);
    if (cached !== undefined) headers["If-None-Match"] = cached.etag;
    let response: ResponseLike;
    try {
      response = await this.fetchImpl(url, { headers });
    } catch (exc) {
      throw new ApiError(0, "network", exc instanceof Error ? exc.message : String(exc));
    }
    if (response.status === 304 && cached !== undefined) return cached.body;
    if (response.status < 200 || response.status >= 300) throw await errorOf(response);
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (exc) {
      throw new ApiError(response.status, "bad_response", exc instanceof Error ? exc.message : String(exc));
    }
    const etag = response.headers.get("ETag");
    if (etag) this.cache.set(url, { etag, body });
    else this.cache.delete(url);
    return body;
  }
}
