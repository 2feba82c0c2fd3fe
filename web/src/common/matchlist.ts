// The base of the widgets that list matches (<rstat-scoreboard>, <rstat-calendar>).
//
// Live updates: each listed match that is live, or scheduled to kick off within 3 hours, gets its own
// match:{id} channel (live ones first, then by kick-off, at most MAX_MATCH_CHANNELS; chosen again every
// 5 minutes and after every list read). We chose match channels over the stage channel
// because a match channel's notices carry the running score and the status, so a goal or a kick-off shows
// at once; the stage channel only says that a table changed, which would cost a REST read before anything
// moved (and says nothing at all about a postponed match). After a status notice (started, finished,
// postponed, corrected, overtime) the list is read again (debounced, If-None-Match) so the rest (a
// decided_in, a rescheduled kick-off, the next current round) follows; goals and cards cost no read.

import { html, nothing, type TemplateResult } from "lit";
import { RstatElement } from "./element.js";
import { DECIDED_TEXT, kickoffDateTime, kickoffTime, shortTeamName, teamName } from "./format.js";
import type { RstatContext } from "./context.js";
import type { LiveMessage } from "./live.js";
import type { MatchDetail, MatchSummary, Notice, Page, Team } from "./types.js";

export const MAX_MATCH_CHANNELS = 40;
/** Notices after which the list is read again (a decided_in, a new kick-off, the next round); a goal or a
 * card needs no read: its body has the running score, and every visitor of a site shares its API key's
 * request rate. */
export const REFETCH_KINDS = new Set([
  "match_started",
  "match_finished",
  "match_status_changed",
  "score_corrected",
  "overtime_started",
  "shootout_started",
]);
export const LIST_REFETCH_MS = 1_000;
export const MATCH_PAGE = 500;

export async function allMatches(
  ctx: RstatContext,
  stage: number,
  params: Record<string, string | number | undefined>,
): Promise<MatchSummary[]> {
  const out: MatchSummary[] = [];
  for (let offset = 0; ; offset += MATCH_PAGE) {
    const page = await ctx.http.get<Page<MatchSummary>>(`/v1/stages/${stage}/matches`, {
      ...params,
      limit: MATCH_PAGE,
      offset,
    });
    out.push(...page.items);
    if (page.items.length < MATCH_PAGE) return out;
  }
}

/** scheduled matches are followed from this long before their kick-off (and until they are played) */
export const WATCH_BEFORE_MS = 3 * 3600_000;
/** how often the followed matches are chosen again as kick-offs come near */
export const REWATCH_MS = 5 * 60_000;

/** The channels worth listening to for these matches: live ones first, then scheduled ones kicking off
 * within WATCH_BEFORE_MS (or overdue), at most `max`: a page with several widgets shares one connection,
 * and the server allows 50 channels on it. */
export function watchedChannels(matches: MatchSummary[], now = Date.now(), max = MAX_MATCH_CHANNELS): string[] {
  const kickoff = (m: MatchSummary): number => (m.kickoff ? Date.parse(m.kickoff) : Infinity);
  return matches
    .filter((m) => m.status === "live" || (m.status === "scheduled" && kickoff(m) <= now + WATCH_BEFORE_MS))
    .sort((a, b) => (a.status === "live" ? 0 : 1) - (b.status === "live" ? 0 : 1) || kickoff(a) - kickoff(b) || a.id - b.id)
    .slice(0, max)
    .map((m) => `match:${m.id}`);
}

export function applyMatchMessage(match: MatchSummary, message: LiveMessage): MatchSummary {
  if (message.kind === "state") {
    const d = message.body as MatchDetail;
    return { ...match, status: d.status, home_score: d.home_score, away_score: d.away_score, decided_in: d.decided_in, kickoff: d.kickoff };
  }
  const n = (message.body ?? {}) as Notice;
  const next = { ...match };
  if (typeof n.home_score === "number" && typeof n.away_score === "number") {
    next.home_score = n.home_score;
    next.away_score = n.away_score;
  }
  if (n.status) next.status = n.status;
  else if (message.kind === "match_started") next.status = "live";
  return next;
}

export abstract class MatchListElement extends RstatElement {
  static override properties = {
    ...RstatElement.properties,
    stage: { type: Number },
    items: { state: true },
  };

  declare stage: number;
  declare items: MatchSummary[] | null;
  protected teams: Map<number, Team> | null = null;
  private watching = new Map<string, () => void>();

  constructor() {
    super();
    this.items = null;
  }

  protected hasData(): boolean {
    return this.items !== null;
  }

  protected clear(): void {
    this.items = null;
    this.watching.clear(); // the channels themselves were let go with the other cleanups
  }

  protected what(): string {
    return `stage ${this.stage}`;
  }

  /** The matches to show, read over REST. */
  protected abstract fetch(ctx: RstatContext): Promise<MatchSummary[]>;

  protected async load(gen: number): Promise<void> {
    const ctx = this.ctx;
    if (ctx === null) return;
    const [matches, teams] = await Promise.all([this.fetch(ctx), ctx.teams()]);
    if (gen !== this.generation) return;
    this.teams = teams;
    this.items = matches;
    this.watch(gen);
  }

  private watch(gen: number): void {
    // kick-offs come near while the page stays open: choose again from time to time
    this.debounce("rewatch", REWATCH_MS, () => this.watch(gen));
    const wanted = new Set(watchedChannels(this.items ?? []));
    for (const [channel, stop] of this.watching) {
      if (!wanted.has(channel)) {
        stop();
        this.watching.delete(channel);
      }
    }
    for (const channel of wanted) {
      if (!this.watching.has(channel)) {
        this.watching.set(channel, this.listen(channel, (message) => this.onMessage(gen, channel, message)));
      }
    }
  }

  private onMessage(gen: number, channel: string, message: LiveMessage): void {
    if (gen !== this.generation || this.items === null || message.kind === "recovered") return;
    const id = Number(channel.split(":")[1]);
    let changed = REFETCH_KINDS.has(message.kind);
    this.items = this.items.map((m) => {
      if (m.id !== id) return m;
      const next = applyMatchMessage(m, message);
      if (message.kind === "state") {
        changed = next.status !== m.status || next.home_score !== m.home_score || next.away_score !== m.away_score;
      }
      return next;
    });
    // a status notice, or a state that moved the match (after a resume, or a poll): read the list again
    if (!changed) return;
    this.debounce("refetch", LIST_REFETCH_MS, () =>
      this.refresh(gen, async () => {
        const ctx = this.ctx;
        if (ctx === null) return;
        const matches = await this.fetch(ctx);
        if (gen !== this.generation) return;
        this.items = matches;
        this.watch(gen);
      }),
    );
  }

  /** A team's name: in full, and its short name instead where the widget is narrow. */
  protected teamName(m: MatchSummary, home: boolean): TemplateResult {
    const id = home ? m.home_team_id : m.away_team_id;
    const given = home ? m.home_team_name : m.away_team_name;
    const long = teamName(this.teams, id, given);
    const short = this.teams?.has(id) ? shortTeamName(this.teams, id) : long;
    return short === long
      ? html`${long}`
      : html`<span class="long">${long}</span><abbr class="short" title=${long}>${short}</abbr>`;
  }

  /** The header row of a match table (the rows below follow it). */
  protected head(): TemplateResult {
    return html`<thead class="vh">
      <tr>
        <th scope="col">Kick-off</th>
        <th scope="col">Home</th>
        <th scope="col">Score</th>
        <th scope="col">Away</th>
        <th scope="col">Status</th>
      </tr>
    </thead>`;
  }

  /** One match as a table row: kick-off or status, teams, score, live badge. */
  protected row(m: MatchSummary, withDate: boolean): TemplateResult {
    const live = m.status === "live";
    const played = m.home_score !== null && m.away_score !== null;
    const when = withDate ? kickoffDateTime(m.kickoff) : kickoffTime(m.kickoff);
    const off = m.status === "postponed" || m.status === "cancelled";
    return html`<tr part="row" data-match-id=${m.id} data-status=${m.status}>
      <td class="when muted">
        ${m.kickoff ? html`<time datetime=${m.kickoff}>${when}</time>` : nothing}
      </td>
      <th scope="row" class="name home" data-team-id=${m.home_team_id}>${this.teamName(m, true)}</th>
      <td class="score ${live ? "live" : ""}" part="score" aria-live=${live ? "polite" : "off"}>
        ${played
          ? html`<span data-home-score>${m.home_score}</span>:<span data-away-score>${m.away_score}</span>${m.decided_in &&
              m.decided_in !== "REG"
                ? html` <abbr class="muted" title=${DECIDED_TEXT[m.decided_in] ?? m.decided_in}>${m.decided_in}</abbr>`
                : nothing}`
          : html`<span class="muted">${off ? m.status : "–"}</span>`}
      </td>
      <td class="name away" data-team-id=${m.away_team_id}>${this.teamName(m, false)}</td>
      <td class="state">${live ? html`<span class="badge" part="badge">live</span>` : nothing}</td>
    </tr>`;
  }
}
