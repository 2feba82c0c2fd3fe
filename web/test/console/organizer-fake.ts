// A fake admin/identity server for the organizer's tests: routes "METHOD /path" to answers, records every
// request (method, path with query, body), and makes access tokens whose claims say the user's roles.

import { expect, vi } from "vitest";
import { AdminClient } from "../../src/console/core/api.js";
import { type Role, type Session, SessionStore } from "../../src/console/core/session.js";

export const IDENTITY = "http://id.example";
export const ADMIN = "http://admin.example";
export const PUBLIC = "http://public.example";

export interface Sent {
  method: string;
  url: URL;
  body: unknown;
  headers: Record<string, string>;
}

export type Answer = { status?: number; body?: unknown } | ((sent: Sent) => { status?: number; body?: unknown });

const b64url = (text: string): string => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An unsigned JWT with these claims (the console reads them only to shape the page). */
export function token(orgs: Record<string, Role>, sub = "user:1"): string {
  return `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ sub, orgs }))}.sig`;
}

export function session(orgs: Record<string, Role>, overrides: Partial<Session> = {}): Session {
  return {
    email: "ann@example.org",
    subject: "user:1",
    access_token: token(orgs),
    refresh_token: "r1",
    expires_at: Date.now() + 600_000,
    orgs,
    ...overrides,
  };
}

export class FakeServer {
  readonly sent: Sent[] = [];

  constructor(public routes: Record<string, Answer> = {}) {}

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const raw = init?.body;
    const sent: Sent = {
      method,
      url,
      body: typeof raw === "string" ? (JSON.parse(raw) as unknown) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    };
    this.sent.push(sent);
    const route = this.routes[`${method} ${url.pathname}${url.search}`] ?? this.routes[`${method} ${url.pathname}`];
    if (route === undefined) {
      return json(404, { error: "not_found", detail: `no route ${method} ${url.pathname}` });
    }
    const answer = typeof route === "function" ? route(sent) : route;
    if (answer.status === 204) return new Response(null, { status: 204 });
    return json(answer.status ?? 200, answer.body ?? null);
  };

  /** the requests made to `method path` (path without the query) */
  calls(method: string, path: string): Sent[] {
    return this.sent.filter((s) => s.method === method && s.url.pathname === path);
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function page<T>(items: T[]): { body: { items: T[]; total: number; limit: number; offset: number } } {
  return { body: { items, total: items.length, limit: 500, offset: 0 } };
}

/** A client signed in with these roles, over the fake server. */
export function signedIn(server: FakeServer, orgs: Record<string, Role>): AdminClient {
  const store = new SessionStore(localStorage);
  store.save(session(orgs));
  return new AdminClient({ identity: IDENTITY, admin: ADMIN, public: PUBLIC }, store, server.fetch);
}

export function shadow(element: Element): ShadowRoot {
  const root = element.shadowRoot;
  if (root === null) throw new Error(`${element.tagName} has no shadow root`);
  return root;
}

/** The first element matching `selectors`, looking through nested shadow roots (like Playwright does). */
export function deep(root: ParentNode, selector: string): Element | null {
  const found = root.querySelector(selector);
  if (found) return found;
  for (const element of root.querySelectorAll("*")) {
    if (element.shadowRoot) {
      const inner = deep(element.shadowRoot, selector);
      if (inner) return inner;
    }
  }
  return null;
}

export function deepAll(root: ParentNode, selector: string): Element[] {
  const found = [...root.querySelectorAll(selector)];
  for (const element of root.querySelectorAll("*")) {
    if (element.shadowRoot) found.push(...deepAll(element.shadowRoot, selector));
  }
  return found;
}

export const text = (el: Element | null | undefined): string => (el?.textContent ?? "").replace(/\s+/g, " ").trim();

/** Wait until `selector` is somewhere in the page's (shadow) tree, and return it. */
export async function appears(selector: string, root: ParentNode = document.body): Promise<Element> {
  let found: Element | null = null;
  await vi.waitFor(() => {
    found = deep(root, selector);
    expect(found, `${selector} in the page`).not.toBeNull();
  });
  return found as unknown as Element;
}

/** The buttons' accessible names (aria-label, else text), through the shadow roots. */
export function buttonNames(root: ParentNode = document.body): string[] {
  return deepAll(root, "button, a.button").map((b) => b.getAttribute("aria-label") ?? text(b));
}

/** Type into an input and fire the events a person's typing fires. */
export function type(input: Element | null, value: string): void {
  const field = input as HTMLInputElement;
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
  field.dispatchEvent(new Event("change", { bubbles: true, composed: true }));
}
