// The base of every R-Stat element: reads its configuration (attributes, then meta tags), takes the page's
// shared context, (re)starts loading when a source attribute changes, and renders the common frame: the
// error box (role="alert"), "reconnecting…" while keeping the last data, and the polling note.
//
// Events every element dispatches (bubbling, composed, so a page can listen on document):
//   rstat-ready   the first data of a source is shown (again after a source attribute changed); detail null
//   rstat-error   an error is shown in the box; detail {message, status, code} (status 0: network)
//   rstat-notice  a live message arrived (a goal, a card, a changed table...); detail {channel, kind, body}

import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { contextFor, resolveConfig, type RstatContext } from "./context.js";
import { ApiError } from "./http.js";
import type { Listener, LiveMessage, LiveState } from "./live.js";
import { baseStyles } from "./styles.js";

const RETRY_MIN_MS = 2_000;

const isId = (value: unknown): boolean => typeof value === "number" && Number.isInteger(value) && value >= 0;
const RETRY_MAX_MS = 60_000;

export function errorMessage(error: unknown, what: string, credentialKind: string | null): string {
  if (error instanceof ApiError) {
    if (error.status === 401 || error.code === "unauthorized") {
      if (credentialKind === null) {
        return 'R-Stat: no API key: give the element api-key="…" or the page <meta name="rstat-api-key" content="…">';
      }
      return credentialKind === "token"
        ? "R-Stat: this website's access token is not valid or has expired"
        : "R-Stat: this website's API key is not valid";
    }
    if (error.status === 403 || error.code === "forbidden") return `R-Stat: this website may not read ${what}`;
    if (error.status === 404 || error.code === "not_found") return `R-Stat: ${what} does not exist or is not yours`;
    if (error.status === 429) return "R-Stat: too many requests; trying again shortly…";
    if (error.network) return "R-Stat: cannot reach the statistics server; reconnecting…";
    return `R-Stat: the statistics server answered ${error.status}${error.detail ? ` (${error.detail})` : ""}`;
  }
  return `R-Stat: ${error instanceof Error ? error.message : String(error)}`;
}

export abstract class RstatElement extends LitElement {
  static override styles = [baseStyles];

  static override properties = {
    base: { type: String },
    apiKey: { type: String, attribute: "api-key" },
    token: { type: String },
    poll: { type: Number },
    error: { state: true },
    liveState: { state: true },
    stale: { state: true },
  };

  declare base: string | undefined;
  declare apiKey: string | undefined;
  declare token: string | undefined;
  /** seconds between REST polls when the WebSocket cannot be used */
  declare poll: number | undefined;
  declare error: string | null;
  declare liveState: LiveState;
  /** the last load failed on the network: the data shown may be old */
  declare stale: boolean;

  protected ctx: RstatContext | null = null;
  /** bumped on every (re)start: an answer of an older generation is dropped */
  protected generation = 0;
  private cleanups: (() => void)[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;
  private timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    super();
    this.error = null;
    this.liveState = "idle";
    this.stale = false;
  }

  /** Properties whose change reloads the widget (besides base and the credential). */
  protected abstract sourceKeys(): string[];
  /** What the widget shows, in words for error messages ("stage 7"). */
  protected abstract what(): string;
  /** Whether there is data to show (then network trouble keeps it on screen). */
  protected abstract hasData(): boolean;
  /** Fetch and subscribe for generation `gen`; throw on failure (retried on network errors). */
  protected abstract load(gen: number): Promise<void>;
  /** Forget the data of the previous source. */
  protected abstract clear(): void;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.restart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopAll();
  }

  protected override willUpdate(changed: PropertyValues): void {
    const keys = ["base", "apiKey", "token", "poll", ...this.sourceKeys()];
    if (this.isConnected && (!this.hasUpdated || keys.some((key) => changed.has(key)))) this.restart();
  }

  private stopAll(): void {
    this.generation += 1;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Start again from scratch (a source attribute changed, or the element came back into the page). */
  protected restart(): void {
    this.stopAll();
    this.clear();
    this.error = null;
    this.stale = false;
    this.retries = 0;
    const { base, credential } = resolveConfig(this);
    this.ctx = contextFor(base, credential);
    const live = this.ctx.live;
    this.liveState = live.state;
    this.cleanups.push(live.onState((state) => (this.liveState = state)));
    const missing = this.sourceKeys().find((key) => this.requires().includes(key) && !isId(this[key as keyof this]));
    if (missing !== undefined) {
      this.showError(new Error(`<${this.localName}> needs a ${missing}="…" attribute (a number)`));
      return;
    }
    void this.run(this.generation);
  }

  /** The source attributes without which there is nothing to show. */
  protected requires(): string[] {
    return this.sourceKeys().slice(0, 1);
  }

  private async run(gen: number): Promise<void> {
    try {
      await this.load(gen);
      if (gen !== this.generation) return;
      this.error = null;
      this.stale = false;
      this.retries = 0;
      this.emit("rstat-ready", null);
    } catch (error) {
      if (gen !== this.generation) return;
      this.failed(error, () => void this.run(gen));
    }
  }

  /** Show an error; network trouble and 429 keep the data and try `again` later. */
  protected failed(error: unknown, again: () => void): void {
    const transient = error instanceof ApiError && (error.network || error.status === 429 || error.status >= 500);
    if (transient) {
      this.stale = true;
      if (!this.hasData()) this.showError(error);
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.retries);
      this.retries += 1;
      if (this.retryTimer !== null) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        again();
      }, delay);
    } else {
      this.showError(error);
    }
  }

  /** Show an error in the box and tell the page: a bubbling, composed "rstat-error" event. */
  protected showError(error: unknown): void {
    const message = errorMessage(error, this.what(), this.ctx?.credential?.kind ?? null);
    this.error = message;
    const api = error instanceof ApiError ? error : null;
    this.emit("rstat-error", { message, status: api?.status ?? null, code: api?.code ?? null });
  }

  protected emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** Listen to a live channel for as long as this source is shown; errors of the channel become the widget's. */
  protected listen(channel: string, listener: Listener): () => void {
    const ctx = this.ctx;
    if (ctx === null) return () => undefined;
    const pollMs = this.poll && this.poll > 0 ? this.poll * 1000 : undefined;
    const stop = ctx.live.subscribe(
      channel,
      (message: LiveMessage) => {
        if (message.kind === "error") {
          if (message.code === "unauthorized" || message.code === "not_found") {
            this.showError(new ApiError(message.code === "unauthorized" ? 401 : 404, message.code, message.message ?? ""));
          }
          return;
        }
        listener(message);
        if (message.kind !== "state" && message.kind !== "recovered") {
          this.emit("rstat-notice", { channel: message.channel, kind: message.kind, body: message.body });
        }
      },
      pollMs,
    );
    let stopped = false;
    const once = (): void => {
      if (!stopped) stop();
      stopped = true;
    };
    this.cleanups.push(once);
    return once;
  }

  /** Run `fn` once, `ms` after the last call with the same key (refetches after a burst of notices). */
  protected debounce(key: string, ms: number, fn: () => void): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, ms),
    );
  }

  /** Re-read something over REST in the background: a failure only marks the data stale. */
  protected refresh(gen: number, fn: () => Promise<void>): void {
    fn().then(
      () => {
        if (gen === this.generation) this.stale = false;
      },
      (error: unknown) => {
        if (gen !== this.generation) return;
        if (error instanceof ApiError && error.status === 429) {
          // over the site's request rate: the live data shown stays right, only the details wait
        } else if (error instanceof ApiError && (error.network || error.status >= 500)) {
          this.stale = true;
        } else {
          this.showError(error);
        }
      },
    );
  }

  protected get reconnecting(): boolean {
    return this.stale || (this.liveState === "connecting" && (this.ctx?.live.everOpened ?? false));
  }

  /** The common frame around a widget's content. */
  protected frame(label: string, content: TemplateResult | typeof nothing): TemplateResult {
    const error = this.error;
    const pollS = Math.round((this.ctx?.live.pollMs ?? 15_000) / 1000);
    return html`<section class="box" part="box" aria-label=${label} aria-busy=${error === null && !this.hasData() ? "true" : "false"}>
      ${error !== null
        ? html`<div class="error" role="alert" part="error">${error}</div>`
        : this.hasData()
          ? nothing
          : html`<p class="muted" part="note">Loading…</p>`}
      ${this.hasData() && error === null ? content : nothing}
      ${this.reconnecting && error === null
        ? html`<p class="note" part="note" role="status" data-state="reconnecting">reconnecting…</p>`
        : this.liveState === "polling" && error === null
          ? html`<p class="note" part="note" data-state="polling">updated every ${pollS} s</p>`
          : nothing}
    </section>`;
  }
}
