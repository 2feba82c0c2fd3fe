// <rstat-scorer .client=${AdminClient} org="1" match="7">: the scorer's page of one match, phone first. The
// header shows the teams, the score (counted from the goal events, never typed), the match's status, the
// connection and the running clock; then the line-ups step or the pad of large buttons (goal, cards, ...);
// then the entries, newest first, each marked sent, pending (on the device, waiting for a connection) or
// conflict (refused by the server, with its words and what the scorer can do about it).
//
// Every entry goes through the outbox (offline/queue.ts): stored on the device first, then sent in order
// with its Idempotency-Key; nothing is written behind the scorer's back, nothing is dropped without him.

import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { type AdminClient, ApiError, OfflineError } from "../core/api.js";
import { type Connection, Outbox } from "../offline/queue.js";
import { IdbStore, MemoryStore, type EntryStore, type SnapshotStore } from "../offline/store.js";
import type { Operation } from "../offline/types.js";
import { applyAnswers } from "./apply.js";
import * as clocks from "./clock.js";
import { type MatchContext, readMatch } from "./data.js";
import {
  createdId,
  eventOps,
  type Item,
  itemsOf,
  lastEvent,
  lineupOps,
  lineupsOf,
  matchOp,
  protocolOf,
  scoreOp,
  type ScorerEntry,
  undoOps,
} from "./entries.js";
import { choicesOf, draftOf, type LineupDraft, renderLineups } from "./lineup.js";
import {
  CARDS,
  CLOSED_STATUSES,
  type EntryMeta,
  type EventDraft,
  finalResult,
  GOALS,
  RULES,
  scoreOf,
} from "./model.js";
import { type Action, ACTION_LABEL, actionsFor, type Draft, draftEvent, renderSheet } from "./sheet.js";
import { scorerStyles } from "./styles.js";
import { clockControls, confirmFinal, confirmUndo } from "./controls.js";
import { conflictAlert, entryList, errorText, header } from "./view.js";

/** Dispatched when the API says the session is over (the shell shows the sign-in form); same as organizer. */
const SESSION_ENDED = "rsc-session-ended";

type Store = EntryStore & SnapshotStore;

type Confirm = "undo" | "final" | null;

/** a match in play again: a result's decided_in belongs only to a finished match (a database rule) */
const REOPEN = { status: "live", decided_in: null };

export class RstatScorer extends LitElement {
  static override styles = [scorerStyles];

  static override properties = {
    client: { attribute: false },
    org: { type: Number },
    match: { type: Number },
    context: { state: true },
    entries: { state: true },
    connection: { state: true },
    trouble: { state: true },
    loadError: { state: true },
    view: { state: true },
    draft: { state: true },
    problem: { state: true },
    lineup: { state: true },
    confirm: { state: true },
    clock: { state: true },
    now: { state: true },
    editingClock: { state: true },
  };

  declare client: AdminClient | null;
  declare org: number;
  declare match: number;
  declare context: MatchContext | null;
  declare entries: ScorerEntry[];
  declare connection: Connection;
  /** a failure not tied to one entry (a read of the match, a lost session), in words */
  declare trouble: string;
  declare loadError: string;
  declare view: "match" | "lineups";
  declare draft: Draft | null;
  declare problem: string;
  declare lineup: LineupDraft | null;
  declare confirm: Confirm;
  declare clock: clocks.ClockState;
  declare now: number;
  declare editingClock: boolean;

  /** the device's storage, replaceable in tests (before the element joins the page) */
  openStore: () => Promise<Store> = async () => {
    try {
      return await IdbStore.open();
    } catch {
      return new MemoryStore(); // no IndexedDB (some private windows): entries last as long as the page
    }
  };
  storage: Storage | null = typeof localStorage === "undefined" ? null : localStorage;

  private store: Store | null = null;
  private outbox: Outbox<EntryMeta> | null = null;
  private clockStore: clocks.ClockStore | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private generation = 0;
  private readonly onOnline = (): void => {
    if (this.outbox?.entries.length === 0 || this.context === null) void this.refresh(this.generation);
  };

  constructor() {
    super();
    this.client = null;
    this.org = 0;
    this.match = 0;
    this.context = null;
    this.entries = [];
    this.connection = "online";
    this.trouble = "";
    this.loadError = "";
    this.view = "match";
    this.draft = null;
    this.problem = "";
    this.lineup = null;
    this.confirm = null;
    this.clock = clocks.fresh();
    this.now = Date.now();
    this.editingClock = false;
  }

  get scope(): string {
    return `org:${this.org}:match:${this.match}`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("online", this.onOnline);
    this.ticker = setInterval(() => {
      if (this.clock.running) this.now = Date.now();
    }, 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("online", this.onOnline);
    clearInterval(this.ticker);
    this.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has("org") || changed.has("match") || changed.has("client")) && this.client && this.org && this.match) {
      void this.start();
    }
  }

  private stop(): void {
    this.generation += 1;
    this.outbox?.close();
    this.outbox = null;
  }

  /** Open the match: what the device kept first (shown at once, also offline), then the server's. */
  private async start(): Promise<void> {
    this.stop();
    const generation = this.generation;
    this.context = null;
    this.entries = [];
    this.loadError = "";
    this.trouble = "";
    this.draft = null;
    this.confirm = null;
    this.clockStore = new clocks.ClockStore(this.storage, `rstat-scorer-clock:${this.scope}`);
    this.store ??= await this.openStore();
    const kept = await this.store.load<MatchContext>(this.scope).catch(() => undefined);
    if (generation !== this.generation) return;
    if (kept) this.show(kept);
    const client = this.client;
    if (!client) return;
    const send = (op: Operation): Promise<unknown> =>
      client.request(op.method, op.path, { body: op.body, headers: op.key ? { "Idempotency-Key": op.key } : undefined });
    const outbox = await Outbox.open<EntryMeta>(this.store, this.scope, send, { events: window });
    if (generation !== this.generation) {
      outbox.close();
      return;
    }
    this.outbox = outbox;
    outbox.onChange(() => this.outboxChanged(outbox));
    outbox.onSent((entry) => this.sent(entry));
    this.outboxChanged(outbox);
    await this.refresh(generation);
    void outbox.flush();
  }

  /** Read the match from the server; without a connection the kept copy stays (and says so). */
  private async refresh(generation: number): Promise<void> {
    if (!this.client) return;
    try {
      const fresh = await readMatch(this.client, this.org, this.match, this.context?.players ?? {});
      if (generation !== this.generation) return;
      this.show(fresh);
      this.loadError = "";
      this.trouble = this.outbox?.trouble ?? "";
      await this.keep();
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof OfflineError) {
        this.connection = "offline";
        if (this.context === null) {
          this.loadError = "No connection, and this match has not been opened on this device before: open it once with a connection.";
        }
      } else {
        this.loadError = errorText(error);
        this.sessionCheck(error);
      }
    }
  }

  private show(context: MatchContext): void {
    const first = this.context === null;
    this.context = context;
    if (first) {
      this.clock = this.clockStore?.load() ?? clocks.fresh(this.periodFromEvents(context));
      const entries = this.outbox?.entries ?? [];
      if (lineupsOf(context, entries).length === 0 && context.match.status === "scheduled") this.view = "lineups";
    }
  }

  private periodFromEvents(context: MatchContext): number {
    const ends = context.events.filter((e) => e.kind === "period_end").map((e) => e.period);
    const last = Math.max(0, ...ends);
    return Math.min(last + 1, RULES[context.sport].shootout);
  }

  private async keep(): Promise<void> {
    if (this.store && this.context) await this.store.save(this.scope, this.context).catch(() => undefined);
  }

  private outboxChanged(outbox: Outbox<EntryMeta>): void {
    if (outbox !== this.outbox) return;
    this.entries = [...outbox.entries];
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.connection = offline ? "offline" : outbox.connection;
    if (outbox.trouble !== this.trouble && outbox.status401) this.sessionEnded(outbox.trouble);
    this.trouble = outbox.trouble;
    const conflict = outbox.conflict;
    const status = conflict?.refusal?.body.match_status;
    if (this.context && typeof status === "string" && status !== this.context.match.status) {
      this.context = { ...this.context, match: { ...this.context.match, status } };
    }
  }

  private sent(entry: ScorerEntry): void {
    if (!this.context) return;
    this.context = applyAnswers(this.context, entry.ops, entry.answers);
    void this.keep();
  }

  private sessionCheck(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) this.sessionEnded(error.detail);
  }

  private sessionEnded(message: string): void {
    this.dispatchEvent(new CustomEvent(SESSION_ENDED, { detail: { message }, bubbles: true, composed: true }));
  }

  // ---- what the page derives ----

  private get items(): Item[] {
    return this.context ? itemsOf(this.context.events, this.entries) : [];
  }

  private get protocol(): EventDraft[] {
    return this.context ? protocolOf(this.context.events, this.entries) : [];
  }

  private get shootout(): boolean {
    return this.clock.period >= (this.context ? RULES[this.context.sport].shootout : 5);
  }

  private setClock(clock: clocks.ClockState): void {
    this.clock = clock;
    this.now = Date.now();
    this.clockStore?.save(clock);
  }

  // ---- entries ----

  private async add(ops: Operation[], meta: EntryMeta): Promise<void> {
    if (!this.outbox) return;
    try {
      await this.outbox.add(ops, meta);
    } catch (error) {
      this.trouble = `This entry could not be stored on the device: ${errorText(error)}`;
    }
  }

  private async addEvent(event: EventDraft): Promise<void> {
    const context = this.context;
    if (!context) return;
    await this.add(eventOps(this.org, context.match, event, [...this.protocol, event]), { kind: "event", event });
  }

  private open(action: Action): void {
    const context = this.context;
    if (!context) return;
    const time = clocks.eventTime(context.sport, this.clock, Date.now());
    this.problem = "";
    this.confirm = null;
    this.draft = {
      action,
      team: null,
      player: null,
      assist1: null,
      assist2: null,
      player_out: null,
      goalie: null,
      strength: "EV",
      penalty_minutes: 2,
      infraction: "",
      scored: null,
      period: this.clock.period,
      roster: false,
      ...time,
    };
  }

  private async saveDraft(): Promise<void> {
    const context = this.context;
    const draft = this.draft;
    if (!context || !draft) return;
    const event = draftEvent(context.sport, draft);
    if (typeof event === "string") {
      this.problem = event;
      return;
    }
    this.draft = null;
    await this.addEvent(event);
  }

  private async endPeriod(): Promise<void> {
    const context = this.context;
    if (!context) return;
    const period = this.clock.period;
    this.setClock(clocks.nextPeriod(clocks.pause(this.clock, Date.now())));
    const time = clocks.eventTime(context.sport, { ...this.clock, period }, Date.now());
    await this.addEvent({ team_id: context.match.home_team_id, kind: "period_end", period, ...(context.sport === "ice-hockey" ? {} : { minute: time.minute }) });
  }

  private startOvertime(): void {
    const context = this.context;
    if (!context) return;
    const rules = RULES[context.sport];
    const period = Math.max(this.clock.period, rules.regular + 1);
    this.setClock(clocks.start(clocks.fresh(Math.min(period, rules.shootout - 1)), Date.now()));
  }

  private startShootout(): void {
    const context = this.context;
    if (context) this.setClock(clocks.fresh(RULES[context.sport].shootout));
  }

  private async setStatus(label: string, fields: Record<string, unknown>): Promise<void> {
    const context = this.context;
    if (!context) return;
    await this.add([matchOp(this.org, context.match, fields)], { kind: "match", label, fields });
  }

  private async startMatch(): Promise<void> {
    const context = this.context;
    if (!context) return;
    const score = scoreOf(this.protocol, context.match);
    await this.setStatus("Match started", { status: "live", home_score: score.home, away_score: score.away });
    this.setClock(clocks.start(this.clock, Date.now()));
  }

  private async finalWhistle(): Promise<void> {
    const context = this.context;
    if (!context) return;
    this.confirm = null;
    const result = finalResult(context.sport, this.protocol, context.match);
    this.setClock(clocks.pause(this.clock, Date.now()));
    await this.setStatus("Final whistle", { status: "finished", ...result });
  }

  /** Take back the last event: a pending one leaves the outbox (nothing is sent); a sent one is deleted. */
  private async undo(): Promise<void> {
    const context = this.context;
    const outbox = this.outbox;
    this.confirm = null;
    if (!context || !outbox) return;
    let target = lastEvent(this.items);
    if (target?.entry) {
      const withdrawn = await outbox.withdraw(target.entry.id);
      if (withdrawn !== null) {
        this.context = applyAnswers(this.context ?? context, withdrawn.entry.ops, withdrawn.entry.answers);
        void this.keep();
        const created = createdId(withdrawn.entry);
        const event = this.context.events.find((e) => e.id === created);
        if (event) await this.undoSent(event); // its event was written, its score not yet: delete it
        else if (withdrawn.entry.meta.kind === "event") this.undone(withdrawn.entry.meta.event);
        return;
      }
      target = lastEvent(this.items); // it was sent meanwhile: now it is a server row
    }
    if (target?.row) await this.undoSent(target.row);
  }

  private async undoSent(event: NonNullable<Item["row"]>): Promise<void> {
    const context = this.context;
    if (!context) return;
    const after = this.protocol.filter((e) => e !== event);
    await this.add(undoOps(this.org, context.match, event, after), { kind: "undo", event });
    this.undone(event);
  }

  /** an undone period end puts the clock back in that period */
  private undone(event: EventDraft): void {
    if (event.kind === "period_end") this.setClock({ ...clocks.fresh(event.period) });
  }

  private async discard(entry: ScorerEntry): Promise<void> {
    const context = this.context;
    const outbox = this.outbox;
    if (!context || !outbox) return;
    const withdrawn = await outbox.withdraw(entry.id);
    if (!withdrawn) return;
    this.context = applyAnswers(context, withdrawn.entry.ops, withdrawn.entry.answers);
    void this.keep();
    const created = createdId(withdrawn.entry);
    const event = this.context.events.find((e) => e.id === created);
    if (event) {
      await this.undoSent(event);
    } else if (withdrawn.entry.meta.kind === "event" && GOALS.includes(withdrawn.entry.meta.event.kind)) {
      // the scores sent behind it counted this goal: send the score without it
      await this.add([scoreOp(this.org, this.context.match, this.protocol)], { kind: "match", label: "Score corrected", fields: {} });
    }
  }

  private async reopenAndSend(entry: ScorerEntry): Promise<void> {
    const context = this.context;
    if (!context || !this.outbox) return;
    await this.outbox.resend(entry.id, [matchOp(this.org, context.match, REOPEN)]);
  }

  // ---- line-ups ----

  private editLineup(team: number): void {
    if (this.context) this.lineup = draftOf(this.context, lineupsOf(this.context, this.entries), team);
  }

  private async saveLineup(): Promise<void> {
    const context = this.context;
    const draft = this.lineup;
    if (!context || !draft) return;
    const wanted = choicesOf(context, draft);
    const existing = context.lineups.filter((l) => l.team_id === draft.team);
    const ops = lineupOps(this.org, context.match.id, existing, wanted);
    if (ops.length === 0) return;
    await this.add(ops, { kind: "lineups", team_id: draft.team, lineups: wanted });
  }

  // ---- rendering ----

  override render(): TemplateResult {
    const context = this.context;
    if (context === null) {
      return html`${this.loadError
        ? html`<p class="alert" role="alert">${this.loadError}</p>
            <p><button type="button" @click=${() => void this.start()}>Try again</button></p>`
        : html`<p class="muted" role="status">Loading the match…</p>`}`;
    }
    return html`${header(context, this.protocol, this.connection, this.entries.length)}
      ${this.loadError ? html`<p class="alert" role="alert">${this.loadError}</p>` : nothing}
      ${this.trouble ? html`<p class="alert" role="alert">${this.trouble}</p>` : nothing}
      ${conflictAlert(this.entries)}
      ${this.view === "lineups" ? this.renderLineupStep(context) : this.renderPad(context)}
      ${entryList(context, this.items, {
        discard: (entry) => void this.discard(entry),
        resend: (entry) => void this.outbox?.resend(entry.id),
        reopen: (entry) => void this.reopenAndSend(entry),
      })}`;
  }

  private renderClock(context: MatchContext): TemplateResult {
    const rules = RULES[context.sport];
    const regularOver =
      context.events.some((e) => e.kind === "period_end" && e.period >= rules.regular) || this.clock.period > rules.regular;
    return clockControls(context.sport, this.clock, this.now, { editing: this.editingClock, regularOver }, {
      start: () => this.setClock(clocks.start(this.clock, Date.now())),
      pause: () => this.setClock(clocks.pause(this.clock, Date.now())),
      edit: () => (this.editingClock = !this.editingClock),
      set: (seconds) => {
        this.setClock(clocks.setElapsed(this.clock, seconds, Date.now()));
        this.editingClock = false;
      },
      overtime: () => this.startOvertime(),
      shootout: () => this.startShootout(),
    });
  }

  private renderPad(context: MatchContext): TemplateResult {
    const closed = CLOSED_STATUSES.includes(context.match.status);
    if (this.draft) {
      return renderSheet(context, lineupsOf(context, this.entries), this.draft, this.problem, {
        change: (patch) => {
          if (this.draft) this.draft = { ...this.draft, ...patch };
          this.problem = "";
        },
        save: () => void this.saveDraft(),
        cancel: () => (this.draft = null),
      });
    }
    const last = lastEvent(this.items);
    const cls = (a: Action): string => (a === "yellow" || a === "second_yellow" ? "card-yellow" : CARDS.includes(a) ? "card-red" : "");
    return html`${this.renderClock(context)}
      ${closed
        ? html`<p class="notice">This match is ${context.match.status}. <button type="button" @click=${() => void this.setStatus("Match reopened", REOPEN)}>Reopen match</button></p>`
        : nothing}
      ${context.match.status === "scheduled" ? html`<p><button type="button" class="primary" @click=${() => void this.startMatch()}>Start match</button></p>` : nothing}
      <div class="pad">
        ${actionsFor(context.sport, this.shootout).map(
          (a) => html`<button type="button" class=${cls(a)} data-action=${a} @click=${() => this.open(a)}>${ACTION_LABEL[a]}</button>`,
        )}
        ${this.shootout ? nothing : html`<button type="button" data-action="period_end" @click=${() => void this.endPeriod()}>Period end</button>`}
        <button type="button" class="undo" data-action="undo" ?disabled=${last === undefined} @click=${() => (this.confirm = "undo")}>Undo</button>
        <button type="button" class="final" data-action="final" @click=${() => (this.confirm = "final")}>Final whistle</button>
        <button type="button" class="wide plain" @click=${() => {
          this.view = "lineups";
          this.editLineup(context.match.home_team_id);
        }}>Line-ups</button>
      </div>
      ${this.renderConfirm(context, last)}`;
  }

  private renderConfirm(context: MatchContext, last: Item | undefined): TemplateResult | typeof nothing {
    const cancel = (): void => {
      this.confirm = null;
    };
    if (this.confirm === "undo" && last?.event) return confirmUndo(context, last.event, { cancel, confirm: () => void this.undo() });
    if (this.confirm === "final") {
      const result = finalResult(context.sport, this.protocol, context.match);
      return confirmFinal(context, result, { cancel, confirm: () => void this.finalWhistle() });
    }
    return nothing;
  }

  private renderLineupStep(context: MatchContext): TemplateResult {
    const draft = this.lineup ?? draftOf(context, lineupsOf(context, this.entries), context.match.home_team_id);
    const waiting = this.entries.some((e) => e.meta.kind === "lineups" && e.meta.team_id === draft.team);
    const update = (next: LineupDraft): void => {
      this.lineup = next;
    };
    return renderLineups(context, draft, waiting, {
      team: (team) => this.editLineup(team),
      part: (player, part) => update({ ...draft, parts: { ...draft.parts, [player]: part }, goalie: draft.goalie === player && part !== "starter" ? null : draft.goalie }),
      goalie: (player) => update({ ...draft, goalie: draft.goalie === player ? null : player }),
      save: () => {
        this.lineup = draft;
        void this.saveLineup();
      },
      done: () => {
        this.view = "match";
        this.lineup = null;
      },
    });
  }

}

if (!customElements.get("rstat-scorer")) customElements.define("rstat-scorer", RstatScorer);

declare global {
  interface HTMLElementTagNameMap {
    "rstat-scorer": RstatScorer;
  }
}
