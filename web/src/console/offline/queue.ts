// The outbox of one match: every entry the scorer makes is stored on the device first, then sent, in the
// order it was made, one call at a time. Without a connection entries wait (shown as pending) and are sent
// when it returns: at the browser's online event at once, otherwise by retries with a growing delay. A
// refusal by the server (a 4xx: the match finished by someone else, a player not in the line-up) stops the
// outbox at that entry, which stays on the device as a conflict until the scorer discards it or sends it
// again; the entries behind it wait, since they may depend on it (a card after the goal it followed, the
// score that counts it). Nothing is ever dropped without the scorer saying so.

import { ApiError, OfflineError } from "../core/api.js";
import type { EntryStore } from "./store.js";
import type { Entry, Operation, Refusal } from "./types.js";

/** Sends one call to the admin API; throws ApiError (refused) or OfflineError (not reached). */
export type Sender = (op: Operation) => Promise<unknown>;

export type Connection = "online" | "offline";

export interface OutboxOptions {
  /** true when the browser believes it has a network (navigator.onLine) */
  isOnline?: () => boolean;
  /** where the online event is heard (window) */
  events?: EventTarget;
  /** first retry delay; each failure doubles it, up to maxDelayMs */
  initialDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  now?: () => number;
  newId?: () => string;
  /** the clock of retries (setTimeout/clearTimeout), replaceable in tests */
  timers?: Timers;
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A UUID for an entry or an Idempotency-Key. crypto.randomUUID exists only in secure contexts (https,
 * localhost); a phone reaching a club's laptop over plain http on the LAN falls back to getRandomValues. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What became of an attempt to send: retry later, or stop until someone acts. */
function refusalOf(error: ApiError): Refusal {
  return { status: error.status, code: error.code, detail: error.detail, rule: error.rule, body: error.body };
}

/** 408, 425, 429 and 5xx are the server's trouble, not the entry's: they are retried like a lost connection;
 * so is a key still held by the first attempt of the same entry (a retry that overtook a slow request). */
function transient(error: ApiError): boolean {
  if (error.rule === "idempotency_key_in_use") return true;
  return error.status >= 500 || error.status === 408 || error.status === 425 || error.status === 429;
}

export interface Withdrawn<M> {
  /** the entry as it was when withdrawn: `done` ops of it had been accepted (their answers in `answers`) */
  entry: Entry<M>;
}

export class Outbox<M = unknown> {
  /** pending and conflicting entries, in order */
  entries: Entry<M>[] = [];
  connection: Connection = "online";
  /** why sending stopped, in words (a refusal is on its entry): a lost session, a failing server */
  trouble = "";
  /** sending stopped because the server said the session is over (401): the page signs the scorer in again */
  status401 = false;
  private readonly listeners = new Set<() => void>();
  private readonly sentListeners = new Set<(entry: Entry<M>) => void>();
  private running: Promise<void> | null = null;
  private again = false;
  /** the entry whose call is on its way, and the end of that call */
  private inFlight: { id: string; done: Promise<void> } | null = null;
  private timer: unknown;
  private failures = 0;
  private closed = false;
  private readonly isOnline: () => boolean;
  private readonly timers: Timers;
  private readonly onOnline = (): void => {
    this.failures = 0;
    void this.flush();
  };
  private readonly onOffline = (): void => {
    this.connection = "offline";
    this.emit();
  };

  private constructor(
    readonly store: EntryStore,
    readonly scope: string,
    private readonly send: Sender,
    private readonly options: OutboxOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    this.isOnline = options.isOnline ?? (() => typeof navigator === "undefined" || navigator.onLine !== false);
    options.events?.addEventListener("online", this.onOnline);
    options.events?.addEventListener("offline", this.onOffline);
  }

  /** The outbox of `scope` with the entries the device kept (from before a reload), not yet sending. */
  static async open<M>(store: EntryStore, scope: string, send: Sender, options: OutboxOptions = {}): Promise<Outbox<M>> {
    const outbox = new Outbox<M>(store, scope, send, options);
    outbox.entries = (await store.list(scope)) as Entry<M>[];
    if (!outbox.isOnline()) outbox.connection = "offline";
    return outbox;
  }

  /** Stop listening and retrying (the page leaves the match); stored entries stay on the device. */
  close(): void {
    this.closed = true;
    this.timers.clear(this.timer);
    this.options.events?.removeEventListener("online", this.onOnline);
    this.options.events?.removeEventListener("offline", this.onOffline);
  }

  /** called after every change of the entries or the connection */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** called when the server has accepted every call of an entry (the entry then leaves the outbox) */
  onSent(listener: (entry: Entry<M>) => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  get pending(): number {
    return this.entries.length;
  }

  /** the first entry the server refused, which holds the ones behind it */
  get conflict(): Entry<M> | undefined {
    return this.entries.find((e) => e.state === "conflict");
  }

  /** Store a new entry (its creates get their Idempotency-Keys now), then try to send. Resolves once it is
   * stored: the sending goes on behind. */
  async add(ops: Operation[], meta: M): Promise<Entry<M>> {
    const newId = this.options.newId ?? newKey;
    const now = (this.options.now ?? Date.now)();
    const last = this.entries.at(-1)?.seq ?? 0;
    const entry: Entry<M> = {
      id: newId(),
      scope: this.scope,
      seq: Math.max(now, last + 1),
      made_at: now,
      ops: ops.map((op) => (op.method === "POST" && op.key === undefined ? { ...op, key: newId() } : op)),
      done: 0,
      answers: [],
      state: "pending",
      refusal: null,
      meta,
    };
    await this.store.put(entry);
    this.entries.push(entry);
    this.emit();
    if (this.isOnline()) void this.flush();
    else this.onOffline();
    return entry;
  }

  /** Send what waits, in order, until the outbox is empty, a call fails or an entry is refused. One drain
   * at a time: a call while one runs makes it go round once more, and returns it. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.isOnline()) {
      // the browser knows there is no network (its "online" answer may be wrong, its "offline" one is not):
      // nothing is tried until its online event, so a reload without a connection sends nothing either
      this.onOffline();
      return Promise.resolve();
    }
    if (this.running !== null) {
      this.again = true; // asked while draining (a retry, the online event): drain once more after this one
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.closed);
    })().finally(() => (this.running = null));
    return this.running;
  }

  private async drain(): Promise<void> {
    this.timers.clear(this.timer);
    for (;;) {
      const head = this.entries[0];
      if (head === undefined || head.state === "conflict" || this.closed) return;
      const op = head.ops[head.done];
      let finish = (): void => undefined;
      this.inFlight = { id: head.id, done: new Promise((resolve) => (finish = resolve)) };
      let answer: unknown;
      try {
        answer = await this.send(op);
      } catch (error) {
        if (!(op.method === "DELETE" && error instanceof ApiError && error.status === 404)) {
          await this.failed(head, error);
          this.inFlight = null;
          finish();
          return;
        }
        answer = null; // a delete retried after a lost answer: the row is gone already, as wanted
      }
      this.failures = 0;
      this.trouble = "";
      this.status401 = false;
      this.connection = "online";
      head.answers.push(answer);
      head.done += 1;
      if (head.done >= head.ops.length) {
        await this.store.remove(head.id);
        this.entries.shift();
        this.inFlight = null;
        finish();
        for (const listener of this.sentListeners) listener(head);
      } else {
        await this.store.put(head);
        this.inFlight = null;
        finish();
      }
      this.emit();
    }
  }

  private async failed(head: Entry<M>, error: unknown): Promise<void> {
    if (error instanceof ApiError) this.connection = "online"; // the server answered
    if (error instanceof ApiError && !transient(error)) {
      if (error.status === 401) {
        // the session ended: the entry is not at fault; it is sent once the scorer has signed in again
        this.trouble = error.detail;
        this.status401 = true;
      } else {
        head.state = "conflict";
        head.refusal = refusalOf(error);
        await this.store.put(head);
      }
      this.emit();
      return;
    }
    if (error instanceof OfflineError) {
      this.connection = "offline";
      this.trouble = "";
    } else {
      this.trouble = error instanceof Error ? error.message : String(error);
    }
    this.retryLater();
    this.emit();
  }

  private retryLater(): void {
    const initial = this.options.initialDelayMs ?? 1000;
    const most = this.options.maxDelayMs ?? 30_000;
    const random = this.options.random ?? Math.random;
    // full delay while under the cap, with up to a fifth less at random so many phones do not retry together
    const delay = Math.min(most, initial * 2 ** this.failures) * (1 - 0.2 * random());
    this.failures += 1;
    this.timers.clear(this.timer);
    this.timer = this.timers.set(() => void this.flush(), delay);
  }

  /** Take an entry out of the outbox (undo of a pending entry, discard of a refused one) without sending
   * anything more of it. An entry whose call is on its way is waited for: if that call completed it, it has
   * left the outbox and null is returned (undo it on the server instead). */
  async withdraw(id: string): Promise<Withdrawn<M> | null> {
    while (this.inFlight?.id === id) await this.inFlight.done;
    const index = this.entries.findIndex((e) => e.id === id);
    if (index < 0) return null;
    const [entry] = this.entries.splice(index, 1);
    await this.store.remove(id);
    this.emit();
    if (index === 0) void this.flush(); // it held the ones behind it
    return { entry };
  }

  /** Send a refused entry again, with `before` (e.g. reopening the match) sent ahead of its remaining calls. */
  async resend(id: string, before: Operation[] = []): Promise<void> {
    const entry = this.entries.find((e) => e.id === id);
    if (entry === undefined || entry.state !== "conflict") return;
    const newId = this.options.newId ?? newKey;
    const extra = before.map((op) => (op.method === "POST" && op.key === undefined ? { ...op, key: newId() } : op));
    entry.ops.splice(entry.done, 0, ...extra);
    entry.state = "pending";
    entry.refusal = null;
    await this.store.put(entry);
    this.failures = 0;
    this.emit();
    await this.flush();
  }
}
