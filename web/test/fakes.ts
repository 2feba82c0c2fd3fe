// Fakes injected into the widgets' data layer: a fetch answering from a route table (with ETags and 304s)
// and a WebSocket class whose instances the test opens, feeds and closes by hand.

import type { FetchLike, ResponseLike } from "../src/common/http.js";
import type { WebSocketLike } from "../src/common/live.js";

export interface Answer {
  status?: number;
  body?: unknown;
  etag?: string;
  headers?: Record<string, string>;
}

export interface Request {
  url: URL;
  headers: Record<string, string>;
}

function response(status: number, text: string, headers: Record<string, string>): ResponseLike {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, headers: { get: (name) => lower[name.toLowerCase()] ?? null }, text: () => Promise.resolve(text) };
}

/** A fetch answering `path?query` (or just `path`) from `routes`; an answer with an etag gets 304 when
 * the request sends it back. `down` makes every request fail like a network error. */
export class FakeFetch {
  readonly requests: Request[] = [];
  down = false;

  constructor(public routes: Record<string, Answer | ((request: Request) => Answer)> = {}) {}

  readonly fetch: FetchLike = (url, init) => {
    const parsed = new URL(url);
    const request = { url: parsed, headers: init.headers };
    this.requests.push(request);
    if (this.down) return Promise.reject(new TypeError("Failed to fetch"));
    const route = this.routes[parsed.pathname + parsed.search] ?? this.routes[parsed.pathname];
    if (route === undefined) {
      return Promise.resolve(response(404, JSON.stringify({ error: "not_found", detail: `no route ${parsed.pathname}` }), {}));
    }
    const answer = typeof route === "function" ? route(request) : route;
    const headers = { ...(answer.headers ?? {}) };
    if (answer.etag) {
      headers.ETag = answer.etag;
      if (init.headers["If-None-Match"] === answer.etag) return Promise.resolve(response(304, "", headers));
    }
    return Promise.resolve(response(answer.status ?? 200, JSON.stringify(answer.body ?? null), headers));
  };

  paths(): string[] {
    return this.requests.map((r) => r.url.pathname + r.url.search);
  }
}

export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readonly sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  static last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (ws === undefined) throw new Error("no WebSocket was made");
    return ws;
  }

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000): void {
    this.closedWith = code;
  }

  // what the server does
  open(): void {
    this.onopen?.({});
  }

  /** One frame of messages, one JSON per line. */
  frame(...messages: object[]): void {
    this.onmessage?.({ data: messages.map((m) => JSON.stringify(m)).join("\n") });
  }

  drop(code = 1006, reason = ""): void {
    this.onclose?.({ code, reason });
  }
}
