// One live connection per (base, credential) on a page, shared by every widget (context.ts keeps them).
//
// - WebSocket {base}/v1/live?api_key=... (or ?token=...), opened when the first channel is wanted and
//   closed when the last one is let go; every channel goes in one subscribe message, with `since` (the last
//   {epoch, seq} seen per channel) after a reconnect so the server replays what was missed ("recovered") or
//   sends the state again.
// - A frame carries one message per line. Channel messages at or below the last seq of their epoch are
//   duplicates and dropped; a "state" or "recovered" message sets the position.
// - Reconnects with exponential backoff and jitter (0.5 s doubling to 10 s). Close codes: 4401 (credential
//   refused) stops for good and tells every listener; 4429 (rate) backs off, and a third time in a row
//   switches to polling; 4008 (too slow) and 1001 (server stopping) reconnect with since. No message for
//   45 s (the server pings every 15 s) counts as a drop.
// - Polling fallback: after 3 attempts that never opened (a proxy that blocks WebSockets) or repeated 4429,
//   the channels are read over REST every `pollMs` (15 s, the smallest any subscriber asked for) through
//   the shared HTTP client (If-None-Match), delivered as "state" messages when they changed, and a
//   WebSocket is tried again in the background every minute.
// - A channel the server refuses as one too many (`too_many_channels`: a page with many widgets) is polled
//   the same way while the socket serves the others, and asked for again when a channel is let go or
//   after a reconnect.

export type LiveState = "idle" | "connecting" | "open" | "polling" | "closed";

export interface LiveMessage {
  channel: string;
  kind: string;
  epoch?: string;
  seq?: number;
  ts?: number;
  body?: unknown;
  recovered?: boolean;
  /** error messages */
  code?: string;
  message?: string;
}

export type Listener = (message: LiveMessage) => void;

export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface LiveDeps {
  WebSocket: WebSocketFactory;
  /** a channel's state over REST, for the polling fallback */
  poll: (channel: string) => Promise<unknown>;
  random?: () => number;
}

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
export const DEFAULT_POLL_MS = 15_000;
export const PROBE_MS = 60_000;
export const SILENCE_MS = 45_000;
/** attempts that never opened before polling */
export const MAX_FAILED_OPENS = 3;
/** 4429 closes in a row before polling */
export const MAX_RATE_CLOSES = 3;

/** the least wait after a 4429 (over the rate: hammering would not help) */
export const RATE_RETRY_MS = 5_000;
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_RATE = 4429;

interface Position {
  epoch: string;
  seq: number;
}

interface Subscription {
  listener: Listener;
  pollMs: number;
}

export class LiveConnection {
  private readonly subs = new Map<string, Set<Subscription>>();
  private readonly positions = new Map<string, Position>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private readonly polled = new Map<string, string>();
  /** channels the server refused as too many for one connection: polled over REST instead */
  private readonly overflow = new Set<string>();
  private ws: WebSocketLike | null = null;
  private opened = false;
  private mode: "ws" | "polling" = "ws";
  private current: LiveState = "idle";
  private attempt = 0;
  private failedOpens = 0;
  private rateCloses = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** the error that stopped the connection for good (4401) */
  fatal: LiveMessage | null = null;
  /** whether a socket ever opened (a later "connecting" is a reconnection) */
  everOpened = false;

  constructor(
    readonly base: string,
    private readonly query: { name: "api_key" | "token"; value: string } | null,
    private readonly deps: LiveDeps,
  ) {}

  /** Back online (a phone leaving a tunnel) while waiting to reconnect: try at once. */
  private readonly online = (): void => {
    if (this.retryTimer !== null && this.ws === null && this.mode === "ws" && this.fatal === null) {
      clearTimeout(this.retryTimer);
      this.connect();
    }
  };

  get state(): LiveState {
    return this.current;
  }

  get channels(): string[] {
    return [...this.subs.keys()];
  }

  get pollMs(): number {
    let ms = Infinity;
    for (const set of this.subs.values()) for (const sub of set) ms = Math.min(ms, sub.pollMs);
    return Number.isFinite(ms) ? ms : DEFAULT_POLL_MS;
  }

  /** The position last seen on a channel (for tests and debugging). */
  position(channel: string): Position | undefined {
    return this.positions.get(channel);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Listen to a channel; returns the function that stops listening. */
  subscribe(channel: string, listener: Listener, pollMs = DEFAULT_POLL_MS): () => void {
    const sub: Subscription = { listener, pollMs: pollMs > 0 ? pollMs : DEFAULT_POLL_MS };
    let set = this.subs.get(channel);
    const added = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.subs.set(channel, set);
    }
    set.add(sub);
    if (this.fatal !== null) {
      listener({ ...this.fatal, channel });
    } else if (added) {
      if (this.mode === "polling") {
        this.restartPolling();
      } else if (this.ws !== null && this.opened) {
        this.send({ op: "subscribe", channels: [channel] });
      } else if (this.ws === null && this.retryTimer === null) {
        this.connect();
      }
    }
    return () => this.unsubscribe(channel, sub);
  }

  private unsubscribe(channel: string, sub: Subscription): void {
    const set = this.subs.get(channel);
    if (set === undefined || !set.delete(sub) || set.size > 0) return;
    this.subs.delete(channel);
    this.positions.delete(channel);
    this.polled.delete(channel);
    const refused = this.overflow.delete(channel);
    if (this.subs.size === 0) {
      this.stop("idle");
    } else if (this.ws !== null && this.opened) {
      if (!refused) this.send({ op: "unsubscribe", channels: [channel] });
      if (!refused && this.overflow.size > 0) {
        // room for one more: ask again for the refused ones (any still too many is refused again)
        const retry = [...this.overflow];
        this.overflow.clear();
        for (const name of retry) this.polled.delete(name);
        this.send({ op: "subscribe", channels: retry });
      }
    }
  }

  /** Close everything (the page's last widget went away, or a test ends). */
  stop(state: LiveState = "closed"): void {
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.opened = false;
    this.mode = "ws";
    this.overflow.clear();
    ws?.close(1000, "no more channels");
    this.setState(state);
  }

  private setState(state: LiveState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private clearTimers(): void {
    globalThis.removeEventListener?.("online", this.online);
    for (const timer of [this.retryTimer, this.pollTimer, this.silenceTimer]) if (timer !== null) clearTimeout(timer);
    this.retryTimer = this.pollTimer = this.silenceTimer = null;
  }

  private url(): string {
    const url = new URL(`${this.base.replace(/\/+$/, "")}/v1/live`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (this.query !== null) url.searchParams.set(this.query.name, this.query.value);
    return url.toString();
  }

  private send(message: object): void {
    try {
      this.ws?.send(JSON.stringify(message));
    } catch {
      // a socket closing under us: its close handler reconnects
    }
  }

  private connect(): void {
    this.retryTimer = null;
    globalThis.removeEventListener?.("online", this.online);
    if (this.subs.size === 0) return;
    if (this.mode === "ws") this.setState("connecting");
    let ws: WebSocketLike;
    try {
      ws = new this.deps.WebSocket(this.url());
    } catch {
      this.closed(1006, false);
      return;
    }
    this.ws = ws;
    this.opened = false;
    ws.onopen = () => {
      if (this.ws === ws) this.open();
    };
    ws.onmessage = (event) => {
      if (this.ws === ws) this.receive(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      const opened = this.opened;
      this.ws = null;
      this.opened = false;
      this.closed(event.code, opened);
    };
    ws.onerror = () => undefined; // a close event follows
  }

  private open(): void {
    this.opened = true;
    this.everOpened = true;
    this.failedOpens = 0;
    if (this.mode === "polling") {
      // the background attempt got through: leave polling, start again from the states
      this.mode = "ws";
      this.positions.clear();
    }
    // every channel is asked for again below (a refused one may fit now)
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.overflow.clear();
    this.setState("open");
    const channels = this.channels;
    const since: Record<string, Position> = {};
    for (const channel of channels) {
      const position = this.positions.get(channel);
      if (position !== undefined) since[channel] = position;
    }
    this.send(Object.keys(since).length > 0 ? { op: "subscribe", channels, since } : { op: "subscribe", channels });
    this.heard();
  }

  /** Any message resets the silence timer; a silent socket is treated as dropped. */
  private heard(): void {
    if (this.silenceTimer !== null) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null;
      const ws = this.ws;
      if (ws === null) return;
      this.ws = null;
      this.opened = false;
      ws.close(4000, "silent for too long");
      this.closed(1006, true);
    }, SILENCE_MS);
  }

  private closed(code: number, opened: boolean): void {
    if (this.silenceTimer !== null) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    if (this.subs.size === 0) {
      this.setState("idle");
      return;
    }
    if (code === CLOSE_UNAUTHORIZED) {
      this.clearTimers();
      this.mode = "ws";
      this.fatal = { channel: "", kind: "error", code: "unauthorized", message: "the credential was refused" };
      this.setState("closed");
      for (const [channel, set] of this.subs) for (const sub of [...set]) sub.listener({ ...this.fatal, channel });
      return;
    }
    if (this.mode === "polling") {
      this.retryTimer = setTimeout(() => this.connect(), PROBE_MS);
      return;
    }
    if (code === CLOSE_RATE) {
      this.rateCloses += 1;
      if (this.rateCloses >= MAX_RATE_CLOSES) return this.startPolling();
    } else if (!opened) {
      this.failedOpens += 1;
      if (this.failedOpens >= MAX_FAILED_OPENS) return this.startPolling();
    }
    this.setState("connecting");
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    const random = this.deps.random ?? Math.random;
    let delay = Math.max(BACKOFF_MIN_MS, ceiling / 2 + (random() * ceiling) / 2);
    if (code === CLOSE_RATE) delay = Math.max(delay, RATE_RETRY_MS);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    globalThis.addEventListener?.("online", this.online);
  }

  private receive(data: unknown): void {
    this.heard();
    if (typeof data !== "string") return;
    for (const line of data.split("\n")) {
      if (line.trim() === "") continue;
      let message: LiveMessage;
      try {
        message = JSON.parse(line) as LiveMessage;
      } catch {
        continue;
      }
      if (message !== null && typeof message === "object") this.dispatch(message);
    }
  }

  private dispatch(message: LiveMessage): void {
    const { channel, kind } = message;
    if (typeof channel !== "string" || typeof message.seq !== "number") {
      if (kind === "error" && typeof channel === "string") {
        if (message.code === "too_many_channels" && this.subs.has(channel)) {
          this.overflow.add(channel);
          if (this.pollTimer === null) this.restartPolling();
          return;
        }
        this.deliver(channel, message);
      }
      return; // ping, pong, connected, unsubscribed, errors of the connection itself
    }
    // a channel message: the connection works, so the next drop starts the backoff from the bottom
    this.attempt = 0;
    this.rateCloses = 0;
    const epoch = message.epoch ?? "";
    if (kind !== "state" && kind !== "recovered") {
      const last = this.positions.get(channel);
      if (last !== undefined && last.epoch === epoch && message.seq <= last.seq) return; // seen already
    }
    if (!this.subs.has(channel)) return;
    this.positions.set(channel, { epoch, seq: message.seq });
    this.deliver(channel, message);
  }

  private deliver(channel: string, message: LiveMessage): void {
    const set = this.subs.get(channel);
    if (set === undefined) return;
    for (const sub of [...set]) {
      try {
        sub.listener(message);
      } catch (exc) {
        console.error("rstat: a widget failed on a live message", exc);
      }
    }
  }

  private startPolling(): void {
    this.mode = "polling";
    this.positions.clear();
    this.setState("polling");
    this.restartPolling();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), PROBE_MS);
  }

  private restartPolling(): void {
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    void this.pollOnce();
  }

  /** The channels read over REST: all of them while polling, else those the server refused as too many. */
  private polledChannels(): string[] {
    return this.mode === "polling" ? this.channels : this.channels.filter((channel) => this.overflow.has(channel));
  }

  /** Read the polled channels once over REST, then schedule the next round (unless none is left). */
  async pollOnce(): Promise<void> {
    await Promise.all(this.polledChannels().map((channel) => this.pollChannel(channel)));
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.polledChannels().length === 0) return;
    this.pollTimer = setTimeout(() => void this.pollOnce(), this.pollMs);
  }

  private async pollChannel(channel: string): Promise<void> {
    let body: unknown;
    try {
      body = await this.deps.poll(channel);
    } catch (exc) {
      const code = (exc as { code?: unknown }).code;
      if (typeof code === "string" && code !== "network") {
        this.deliver(channel, { channel, kind: "error", code, message: String(exc) });
      }
      return;
    }
    const text = JSON.stringify(body);
    if (!this.polledChannels().includes(channel) || this.polled.get(channel) === text) return;
    this.polled.set(channel, text);
    this.deliver(channel, { channel, kind: "state", body });
  }

  /** What window.rstat.connections() shows. */
  describe(): { base: string; state: LiveState; channels: string[]; polled: string[] } {
    return { base: this.base, state: this.current, channels: this.channels, polled: this.polledChannels() };
  }
}
