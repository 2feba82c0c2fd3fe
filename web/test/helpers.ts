import { expect, vi } from "vitest";
import { resetContexts, setEnvironment } from "../src/common/context.js";
import "../src/widgets/index.js";
import { FakeFetch, FakeWebSocket } from "./fakes.js";
import { TEAMS } from "./fixtures.js";

export const BASE = "https://stats.example.org";

/** A fresh page: fakes injected, no contexts, an empty body. */
export function page(routes: ConstructorParameters<typeof FakeFetch>[0] = {}): FakeFetch {
  resetContexts();
  FakeWebSocket.reset();
  document.body.innerHTML = "";
  document.head.querySelectorAll("meta").forEach((m) => m.remove());
  const fake = new FakeFetch({
    "/v1/teams?limit=500&offset=0": { body: { items: TEAMS, limit: 500, offset: 0 }, etag: '"teams"' },
    ...routes,
  });
  // random 0: no jitter (backoff at its lowest, reads after notices at their shortest delay)
  setEnvironment({ fetch: fake.fetch, WebSocket: FakeWebSocket, random: () => 0 });
  return fake;
}

export function mount(tag: string, attributes: Record<string, string>): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  return element;
}

export function root(element: HTMLElement): ShadowRoot {
  const shadow = element.shadowRoot;
  if (shadow === null) throw new Error(`${element.tagName} has no shadow root`);
  return shadow;
}

export function all(element: HTMLElement, selector: string): Element[] {
  return [...root(element).querySelectorAll(selector)];
}

export function one(element: HTMLElement, selector: string): Element {
  const found = root(element).querySelector(selector);
  if (found === null) throw new Error(`no ${selector} in ${element.tagName}: ${root(element).innerHTML.slice(0, 400)}`);
  return found;
}

export const text = (el: Element | null | undefined): string => (el?.textContent ?? "").replace(/\s+/g, " ").trim();

export async function rendered(element: HTMLElement, selector: string): Promise<void> {
  await vi.waitFor(() => expect(root(element).querySelector(selector)).not.toBeNull());
}

/** The page's WebSocket, opened. */
export async function openSocket(): Promise<FakeWebSocket> {
  await vi.waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  const ws = FakeWebSocket.last();
  ws.open();
  return ws;
}

export async function settle(element: HTMLElement): Promise<void> {
  await (element as unknown as { updateComplete: Promise<unknown> }).updateComplete;
}
