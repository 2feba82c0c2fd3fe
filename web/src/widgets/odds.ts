// <rstat-odds stage="7" [group="12"] [next="5"]>: a stage's forecast. Per group, each team's chance of
// ending in each zone the stage defines (title, promotion, relegation...) and in each final position, as
// heat cells, with the zones it has clinched (✓) or can no longer reach (✗) marked; then the next matches'
// home/draw/away bars. The probabilities come from simulated seasons; clinched and eliminated are exact.
// Live: the stage:{id}:predictions channel sends the state ({predictions, odds}) and then each new
// forecast whole ("predictions"), which replaces what is shown.

import { css, html, nothing, type TemplateResult } from "lit";
import { RstatElement } from "../common/element.js";
import { kickoffDate, shortTeamName, teamName } from "../common/format.js";
import type { LiveMessage } from "../common/live.js";
import type { Stage, Team } from "../common/types.js";

/** GET /v1/stages/{id}/predictions: one match still to play. */
export interface MatchPrediction {
  match_id: number;
  group_id: number | null;
  home_team_id: number;
  away_team_id: number;
  kickoff: string | null;
  p_home: number;
  p_draw: number;
  p_away: number;
  hockey: Record<string, number> | null;
  likely_scores: { home: number; away: number; probability: number }[];
}

export interface Zone {
  name: string;
  first: number;
  last: number;
}

export interface TeamOdds {
  team_id: number;
  group_id: number | null;
  elo: number;
  attack: number;
  defence: number;
  position_probabilities: number[];
  zone_probabilities: Record<string, number>;
  best_possible: number | null;
  worst_possible: number | null;
  clinched: string[];
  eliminated: string[];
}

/** GET /v1/stages/{id}/odds */
export interface PositionOdds {
  stage_id: number;
  sims: number;
  zones: Zone[];
  teams: TeamOdds[];
}

/** The body of the channel's state and of each "predictions" message. */
export interface StagePredictions {
  predictions: MatchPrediction[];
  odds: PositionOdds;
}

interface Data {
  stage: Stage;
  teams: Map<number, Team>;
  forecast: StagePredictions;
}

/** A probability as people read it: "–" for none, "<1%" and ">99%" for nearly none and nearly sure. */
export function percent(p: number): string {
  if (p <= 0) return "\u2013";
  if (p >= 1) return "100%";
  if (p < 0.005) return "<1%";
  if (p > 0.995) return ">99%";
  return `${Math.round(p * 100)}%`;
}

/** A zone's name in words ("champions-league" -> "Champions league"). */
export function zoneLabel(name: string): string {
  const words = name.replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What a team's forecast says of a zone: clinched, eliminated, or open. */
export function zoneState(team: TeamOdds, zone: string): "clinched" | "eliminated" | "open" {
  if (team.clinched.includes(zone)) return "clinched";
  if (team.eliminated.includes(zone)) return "eliminated";
  return "open";
}

const isForecast = (body: unknown): body is StagePredictions =>
  typeof body === "object" && body !== null && Array.isArray((body as StagePredictions).predictions) && typeof (body as StagePredictions).odds === "object";

export class RstatOdds extends RstatElement {
  static override styles = [
    ...RstatElement.styles,
    css`
      td.heat {
        background: color-mix(in srgb, var(--rstat-accent, #0b5cad) calc(var(--p, 0) * 55%), transparent);
        min-width: 2.6em;
      }
      td.heat[data-state="clinched"] {
        font-weight: 700;
      }
      td.heat[data-state="eliminated"] {
        color: var(--rstat-muted, #666);
      }
      .mark {
        margin-inline-start: 0.2em;
      }
      .matches {
        list-style: none;
        margin: 0.6em 0 0;
        padding: 0;
      }
      .matches li {
        padding: 0.3em 0;
        border-bottom: 1px solid var(--rstat-border, #d8d8d8);
      }
      .teams {
        display: flex;
        justify-content: space-between;
        gap: 0.5em;
        font-size: 0.9em;
      }
      .bar {
        display: flex;
        height: 1.3em;
        margin-top: 0.2em;
        border-radius: var(--rstat-radius, 6px);
        overflow: hidden;
        font-size: 0.75em;
        line-height: 1.3em;
      }
      .bar span {
        min-width: 0;
        overflow: hidden;
        text-align: center;
        white-space: nowrap;
      }
      .bar .home {
        background: var(--rstat-accent, #0b5cad);
        color: var(--rstat-live-fg, #fff);
      }
      .bar .draw {
        background: var(--rstat-border, #d8d8d8);
      }
      .bar .away {
        background: var(--rstat-muted, #666);
        color: var(--rstat-live-fg, #fff);
      }
    `,
  ];

  static override properties = {
    ...RstatElement.properties,
    stage: { type: Number },
    group: { type: Number },
    next: { type: Number },
    data: { state: true },
  };

  declare stage: number;
  /** only this group (default: every group) */
  declare group: number | undefined;
  /** how many of the next matches to show (default 5; 0 hides them) */
  declare next: number;
  declare data: Data | null;

  constructor() {
    super();
    this.next = 5;
    this.data = null;
  }

  protected sourceKeys(): string[] {
    return ["stage"];
  }

  protected what(): string {
    return `stage ${this.stage}`;
  }

  protected hasData(): boolean {
    return this.data !== null;
  }

  protected clear(): void {
    this.data = null;
  }

  protected async load(gen: number): Promise<void> {
    const ctx = this.ctx;
    if (ctx === null) return;
    const id = this.stage;
    const [stage, predictions, odds, teams] = await Promise.all([
      ctx.http.get<Stage>(`/v1/stages/${id}`),
      ctx.http.get<MatchPrediction[]>(`/v1/stages/${id}/predictions`),
      ctx.http.get<PositionOdds>(`/v1/stages/${id}/odds`),
      ctx.teams(),
    ]);
    if (gen !== this.generation) return;
    this.data = { stage, teams, forecast: { predictions, odds } };
    this.listen(`stage:${id}:predictions`, (message) => this.onMessage(gen, message));
  }

  private onMessage(gen: number, message: LiveMessage): void {
    if (gen !== this.generation || this.data === null) return;
    if ((message.kind !== "state" && message.kind !== "predictions") || !isForecast(message.body)) return;
    this.data = { ...this.data, forecast: message.body };
    const known = this.data.teams;
    if (message.body.odds.teams.some((t) => !known.has(t.team_id))) {
      this.refresh(gen, async () => {
        const teams = await this.ctx?.teams();
        if (teams && gen === this.generation && this.data) this.data = { ...this.data, teams };
      });
    }
  }

  protected override render(): TemplateResult {
    const data = this.data;
    const label = data ? `${data.stage.name}: forecast` : "Forecast";
    return this.frame(label, data ? this.content(data) : nothing);
  }

  private content(data: Data): TemplateResult {
    const { odds, predictions } = data.forecast;
    const wanted = (groupId: number | null): boolean => this.group === undefined || this.group === null || groupId === this.group;
    const teams = odds.teams.filter((t) => wanted(t.group_id));
    const groups = [...new Set(teams.map((t) => t.group_id ?? 0))];
    const next = predictions.filter((m) => wanted(m.group_id)).slice(0, Math.max(0, this.next ?? 5));
    if (teams.length === 0) return html`<p class="muted">No forecast yet.</p>`;
    const names = new Map(data.stage.groups.map((g) => [g.id, g.name]));
    return html`${groups.map((g) =>
        this.table(
          data,
          odds,
          teams.filter((t) => (t.group_id ?? 0) === g),
          names.get(g) ?? "",
        ),
      )}
      ${next.length > 0 ? this.nextMatches(data, next) : nothing}
      <p class="note" part="note">${odds.sims.toLocaleString("en")} simulated seasons; ✓ clinched, ✗ out of reach whatever happens.</p>`;
  }

  private table(data: Data, odds: PositionOdds, teams: TeamOdds[], groupName: string): TemplateResult {
    const caption = [data.stage.competition_name, data.stage.name, groupName, "forecast"].filter(Boolean).join(" · ");
    const positions = Math.max(...teams.map((t) => t.position_probabilities.length));
    return html`<div class="scroll">
      <table part="table" data-group-id=${teams[0]?.group_id ?? ""}>
        <caption part="caption">${caption}</caption>
        <thead>
          <tr>
            <th scope="col" class="name">Team</th>
            ${odds.zones.map((z) => html`<th scope="col" data-zone=${z.name}><abbr title=${`Positions ${z.first}\u2013${z.last}`}>${zoneLabel(z.name)}</abbr></th>`)}
            <th scope="col" class="sec"><abbr title="Best and worst final position any remaining results can give">Range</abbr></th>
            ${Array.from(
              { length: positions },
              (_, i) => html`<th scope="col" class="sec" data-position=${i + 1}><abbr title=${`Final position ${i + 1}`}>${i + 1}</abbr></th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${teams.map(
            (team) => html`<tr part="row" tabindex="0" data-team-id=${team.team_id}>
              <th scope="row" class="name" data-col="team">${teamName(data.teams, team.team_id)}</th>
              ${odds.zones.map((z) => this.zoneCell(team, z))}
              <td class="sec" data-col="range">${this.range(team)}</td>
              ${Array.from({ length: positions }, (_, i) => {
                const p = team.position_probabilities[i] ?? 0;
                return html`<td class="heat sec" data-position=${i + 1} data-p=${p} style=${`--p:${p}`}>${percent(p)}</td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private zoneCell(team: TeamOdds, zone: Zone): TemplateResult {
    const p = team.zone_probabilities[zone.name] ?? 0;
    const state = zoneState(team, zone.name);
    const mark =
      state === "clinched"
        ? html`<span class="mark" aria-hidden="true">✓</span><span class="vh">, clinched</span>`
        : state === "eliminated"
          ? html`<span class="mark" aria-hidden="true">✗</span><span class="vh">, out of reach</span>`
          : nothing;
    const title = state === "clinched" ? "clinched" : state === "eliminated" ? "out of reach" : nothing;
    return html`<td class="heat" data-zone=${zone.name} data-state=${state} data-p=${p} style=${`--p:${p}`} title=${title}>
      ${percent(p)}${mark}
    </td>`;
  }

  private range(team: TeamOdds): string {
    if (team.best_possible === null || team.worst_possible === null) return "?";
    return team.best_possible === team.worst_possible ? `${team.best_possible}` : `${team.best_possible}\u2013${team.worst_possible}`;
  }

  private nextMatches(data: Data, matches: MatchPrediction[]): TemplateResult {
    return html`<h3>Next matches</h3>
      <ul class="matches" part="matches">
        ${matches.map((m) => {
          const home = teamName(data.teams, m.home_team_id);
          const away = teamName(data.teams, m.away_team_id);
          const words = `${home} win ${percent(m.p_home)}, draw ${percent(m.p_draw)}, ${away} win ${percent(m.p_away)}`;
          return html`<li data-match-id=${m.match_id}>
            <div class="teams">
              <span>${shortTeamName(data.teams, m.home_team_id)} – ${shortTeamName(data.teams, m.away_team_id)}</span>
              <span class="muted">${m.kickoff ? kickoffDate(m.kickoff) : ""}</span>
            </div>
            <div class="bar" role="img" aria-label=${words} title=${words}>
              <span class="home" data-p=${m.p_home} style=${`flex: ${m.p_home}`}>${percent(m.p_home)}</span>
              <span class="draw" data-p=${m.p_draw} style=${`flex: ${m.p_draw}`}>${percent(m.p_draw)}</span>
              <span class="away" data-p=${m.p_away} style=${`flex: ${m.p_away}`}>${percent(m.p_away)}</span>
            </div>
          </li>`;
        })}
      </ul>`;
  }
}
