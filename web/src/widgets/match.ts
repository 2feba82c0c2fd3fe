// <rstat-match match="123">: a live match centre: teams, score, status, period scores, the events
// timeline and the line-ups.
// Live: the match:{id} channel's state is the MatchDetail; each notice moves the score (and status) at once
// from its body, adds a provisional event (goal, card, penalty) so it shows immediately, then the full
// protocol is read again over REST (debounced, with If-None-Match) to replace the provisional one.

import { css, html, nothing, type TemplateResult } from "lit";
import { RstatElement } from "../common/element.js";
import { DECIDED_TEXT, kickoffDateTime, minuteText, playerName, STATUS_TEXT, teamName } from "../common/format.js";
import type { LiveMessage } from "../common/live.js";
import { isHockey, type MatchDetail, type MatchEvent, type Notice, type PlayerName, type Team } from "../common/types.js";

export const REFETCH_MS = 400;
/** the read after a notice is spread over this much more: every visitor of a site hears the notice at
 * once, and they all share the site's API key and its request rate */
export const REFETCH_SPREAD_MS = 2_000;
/** reads of a protocol still behind the announced score before giving up (the next notice starts again) */
const MAX_REFETCHES = 4;

/** Events not worth a line of the timeline. */
const QUIET = new Set(["shot", "save"]);

const blankEvent = (id: number, teamId: number, kind: string): MatchEvent => ({
  id,
  team_id: teamId,
  kind,
  player_id: null,
  assist1_id: null,
  assist2_id: null,
  player_out_id: null,
  goalie_id: null,
  period: 1,
  minute: null,
  stoppage: null,
  clock_seconds: null,
  strength: null,
  penalty_minutes: null,
  scored: null,
});

/** The match after a notice: score and status from its body, and the event it announces when it is new. */
export function applyNotice(detail: MatchDetail, kind: string, notice: Notice): MatchDetail {
  const next: MatchDetail = { ...detail };
  if (typeof notice.home_score === "number" && typeof notice.away_score === "number") {
    next.home_score = notice.home_score;
    next.away_score = notice.away_score;
  }
  if (notice.status) next.status = notice.status;
  else if (kind === "match_started") next.status = "live";
  const eventId = Number((notice.id ?? "").split(":")[1]);
  const eventKind =
    kind === "goal_scored" ? "goal" : kind === "card_shown" ? notice.card || "yellow" : kind === "penalty_called" ? "penalty" : null;
  if (eventKind !== null && Number.isInteger(eventId) && !detail.events.some((e) => e.id === eventId)) {
    const event = blankEvent(eventId, notice.team_id ?? 0, eventKind);
    event.player_id = notice.player_id ?? null;
    event.minute = notice.minute ?? null;
    event.period = notice.period ?? 1;
    event.penalty_minutes = notice.penalty_minutes ?? null;
    next.events = [...detail.events, event];
  }
  return next;
}

export function sortedEvents(events: MatchEvent[]): MatchEvent[] {
  return events
    .filter((e) => !QUIET.has(e.kind))
    .sort(
      (a, b) =>
        a.period - b.period ||
        (a.kind === "period_end" ? 1 : 0) - (b.kind === "period_end" ? 1 : 0) ||
        (a.minute ?? 0) - (b.minute ?? 0) ||
        (a.stoppage ?? 0) - (b.stoppage ?? 0) ||
        (a.clock_seconds ?? 0) - (b.clock_seconds ?? 0) ||
        a.id - b.id,
    );
}

function periodEnd(sport: string | undefined, period: number): string {
  if (isHockey(sport)) return period <= 3 ? `End of period ${period}` : period === 4 ? "End of overtime" : `End of overtime ${period - 3}`;
  if (period >= 5) return "End of the shoot-out";
  return `End of the ${["first half", "second half", "first half of extra time", "extra time"][period - 1] ?? `period ${period}`}`;
}

export function eventText(event: MatchEvent, players: Map<number, PlayerName>, sport?: string): string {
  const who = playerName(players, event.player_id);
  const strength = event.strength && event.strength !== "EV" ? ` (${event.strength})` : "";
  switch (event.kind) {
    case "goal": {
      const assists = [event.assist1_id, event.assist2_id].filter((id) => id !== null).map((id) => playerName(players, id));
      return `Goal: ${who || "?"}${strength}${assists.length ? `, assist ${assists.join(", ")}` : ""}`;
    }
    case "penalty_goal":
      return `Penalty goal: ${who}`;
    case "own_goal":
      return `Own goal: ${who}`;
    case "penalty_miss":
      return `Penalty missed: ${who}`;
    case "yellow":
      return `Yellow card: ${who}`;
    case "second_yellow":
      return `Second yellow card: ${who}`;
    case "red":
      return `Red card: ${who}`;
    case "penalty":
      return `Penalty${event.penalty_minutes ? `, ${event.penalty_minutes} min` : ""}: ${who}`;
    case "substitution":
      return `Substitution: ${who} for ${playerName(players, event.player_out_id)}`;
    case "goalie_change":
      return event.goalie_id === null ? "Goalie pulled" : `Goalie: ${playerName(players, event.goalie_id)}`;
    case "shootout_attempt":
      return `Shoot-out: ${who} ${event.scored ? "scored" : "missed"}`;
    case "period_end":
      return periodEnd(sport, event.period);
    default:
      return `${event.kind.replaceAll("_", " ")}${who ? `: ${who}` : ""}`;
  }
}

const ICONS: Record<string, string> = {
  goal: "\u26bd",
  penalty_goal: "\u26bd",
  own_goal: "\u26bd",
  yellow: "\ud83d\udfe8",
  second_yellow: "\ud83d\udfe8\ud83d\udfe5",
  red: "\ud83d\udfe5",
  substitution: "\u21c4",
  period_end: "\u23f1",
};

export class RstatMatch extends RstatElement {
  static override styles = [
    ...RstatElement.styles,
    css`
      .head {
        display: grid;
        grid-template-columns: 1fr auto 1fr;
        align-items: center;
        gap: 0.5em;
        text-align: center;
      }
      .team {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .score {
        font-size: 1.8em;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .status {
        text-align: center;
        margin: 0.2em 0 0.5em;
      }
      .events li {
        display: grid;
        grid-template-columns: 3.2em 1.6em 1fr;
        gap: 0.3em;
        padding: 0.2em 0;
        border-bottom: 1px solid var(--rstat-border, #d8d8d8);
      }
      .events li.away {
        text-align: end;
        grid-template-columns: 3.2em 1fr 1.6em;
      }
      .events li.away .icon {
        order: 3;
      }
      .events li.period_end {
        color: var(--rstat-muted, #666);
        font-style: italic;
      }
      .minute {
        color: var(--rstat-muted, #666);
        font-variant-numeric: tabular-nums;
        text-align: start;
      }
      .lineups {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.8em;
      }
      @container (max-width: 22rem) {
        .lineups {
          grid-template-columns: 1fr;
        }
        .score {
          font-size: 1.4em;
        }
      }
      .num {
        display: inline-block;
        min-width: 1.8em;
        color: var(--rstat-muted, #666);
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  static override properties = {
    ...RstatElement.properties,
    match: { type: Number },
    detail: { state: true },
  };

  declare match: number;
  declare detail: MatchDetail | null;
  private teams: Map<number, Team> | null = null;
  /** the score the last notice announced, until a protocol read shows it */
  private announced: [number, number] | null = null;
  private refetches = 0;

  constructor() {
    super();
    this.detail = null;
  }

  protected sourceKeys(): string[] {
    return ["match"];
  }

  protected what(): string {
    return `match ${this.match}`;
  }

  protected hasData(): boolean {
    return this.detail !== null;
  }

  protected clear(): void {
    this.detail = null;
    this.announced = null;
  }

  protected async load(gen: number): Promise<void> {
    const ctx = this.ctx;
    if (ctx === null) return;
    const detail = await ctx.http.get<MatchDetail>(`/v1/matches/${this.match}`);
    if (!detail.home_team_name) this.teams = await ctx.teams();
    if (gen !== this.generation) return;
    this.detail = detail;
    this.listen(`match:${this.match}`, (message) => this.onMessage(gen, message));
  }

  private onMessage(gen: number, message: LiveMessage): void {
    if (gen !== this.generation) return;
    if (message.kind === "state") {
      this.detail = message.body as MatchDetail;
      this.announced = null;
      return;
    }
    if (message.kind === "recovered" || this.detail === null) return;
    const notice = (message.body ?? {}) as Notice;
    this.detail = applyNotice(this.detail, message.kind, notice);
    if (typeof notice.home_score === "number" && typeof notice.away_score === "number") {
      this.announced = [notice.home_score, notice.away_score];
    }
    this.refetches = 0;
    const spread = Math.floor((this.ctx?.random() ?? 0) * REFETCH_SPREAD_MS);
    this.debounce("refetch", REFETCH_MS + spread, () => this.refetch(gen));
  }

  /** Read the protocol again after a notice. An answer behind the score the notices announced (a cache or
   * replica lagging) does not move the score back: the provisional events stay and it is read again. */
  private refetch(gen: number): void {
    this.refresh(gen, async () => {
      const detail = await this.ctx?.http.get<MatchDetail>(`/v1/matches/${this.match}`);
      if (!detail || gen !== this.generation || this.detail === null) return;
      const announced = this.announced;
      if (announced === null || (detail.home_score === announced[0] && detail.away_score === announced[1])) {
        this.detail = detail;
        this.announced = null;
        return;
      }
      const known = new Set(detail.events.map((e) => e.id));
      const provisional = this.detail.events.filter((e) => !known.has(e.id));
      this.detail = { ...detail, status: this.detail.status, home_score: announced[0], away_score: announced[1], events: [...detail.events, ...provisional] };
      if (this.refetches < MAX_REFETCHES) {
        this.refetches += 1;
        this.debounce("refetch", REFETCH_MS * 2 ** this.refetches, () => this.refetch(gen));
      }
    });
  }

  protected override render(): TemplateResult {
    const d = this.detail;
    const label = d ? `${this.name(d, d.home_team_id)} – ${this.name(d, d.away_team_id)}` : "Match";
    return this.frame(label, d ? this.body(d) : nothing);
  }

  private name(d: MatchDetail, teamId: number): string {
    const given = teamId === d.home_team_id ? d.home_team_name : d.away_team_name;
    return given || teamName(this.teams, teamId);
  }

  private body(d: MatchDetail): TemplateResult {
    const players = new Map((d.players ?? []).map((p) => [p.id, p]));
    const live = d.status === "live";
    const status = STATUS_TEXT[d.status] ?? d.status;
    const decided = d.decided_in && d.decided_in !== "REG" ? DECIDED_TEXT[d.decided_in] ?? d.decided_in : "";
    const hasScore = d.home_score !== null && d.away_score !== null;
    return html`
      <div class="head" part="header" data-match-id=${d.id} data-status=${d.status}>
        <div class="team home" part="home" data-team-id=${d.home_team_id}>${this.name(d, d.home_team_id)}</div>
        <div class="score ${live ? "live" : ""}" part="score" aria-live="polite" aria-atomic="true">
          ${hasScore
            ? html`<span data-home-score>${d.home_score}</span><span aria-hidden="true">&nbsp;:&nbsp;</span
                ><span class="vh"> to </span><span data-away-score>${d.away_score}</span>`
            : html`<span data-home-score></span><span aria-label="no score yet">–</span><span data-away-score></span>`}
        </div>
        <div class="team away" part="away" data-team-id=${d.away_team_id}>${this.name(d, d.away_team_id)}</div>
      </div>
      <p class="status" part="status" data-status=${d.status}>
        ${live ? html`<span class="badge" part="badge">live</span>` : html`<span>${status}</span>`}
        ${decided ? html`<span class="muted">(${decided})</span>` : nothing}
        ${d.status === "scheduled" && d.kickoff ? html`<span class="muted">${kickoffDateTime(d.kickoff)}</span>` : nothing}
        ${d.period_scores.length
          ? html`<span class="muted" part="periods" data-periods=${d.period_scores.map((p) => p.join(":")).join(",")}
              >(${d.period_scores.map((p) => p.join(":")).join(", ")})</span
            >`
          : nothing}
      </p>
      ${this.timeline(d, players)} ${this.lineups(d, players)}
    `;
  }

  private timeline(d: MatchDetail, players: Map<number, PlayerName>): TemplateResult | typeof nothing {
    const events = sortedEvents(d.events);
    if (events.length === 0) return nothing;
    return html`<h3 id="events-h">Events</h3>
      <ol class="events" part="events" aria-labelledby="events-h">
        ${events.map(
          (e) => html`<li
            class="${e.kind} ${e.team_id === d.away_team_id ? "away" : "home"}"
            data-event-id=${e.id}
            data-kind=${e.kind}
            data-team-id=${e.team_id}
          >
            <span class="minute">${minuteText(e)}</span>
            <span class="icon" aria-hidden="true">${ICONS[e.kind] ?? "•"}</span>
            <span class="text">${eventText(e, players, d.sport)}</span>
          </li>`,
        )}
      </ol>`;
  }

  private lineups(d: MatchDetail, players: Map<number, PlayerName>): TemplateResult | typeof nothing {
    if (d.lineups.length === 0) return nothing;
    const side = (teamId: number): TemplateResult => {
      const mine = d.lineups.filter((l) => l.team_id === teamId);
      const list = (starter: boolean): TemplateResult => html`<ul data-starter=${starter ? "true" : "false"}>
        ${mine
          .filter((l) => l.starter === starter)
          .map(
            (l) => html`<li data-player-id=${l.player_id}>
              <span class="num">${l.number ?? ""}</span>${playerName(players, l.player_id)}${l.position
                ? html` <span class="muted">${l.position}</span>`
                : nothing}
            </li>`,
          )}
      </ul>`;
      return html`<div data-team-id=${teamId}>
        <h3>${this.name(d, teamId)}</h3>
        ${list(true)}
        <h3 class="muted">Substitutes</h3>
        ${list(false)}
      </div>`;
    };
    return html`<div class="lineups" part="lineups">${side(d.home_team_id)}${side(d.away_team_id)}</div>`;
  }
}
