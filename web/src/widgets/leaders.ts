// <rstat-leaders season="3" stat="goals" [limit="10"]>: a season's leaderboard (goals, assists, points,
// cards, goalies). Live: the season:{id}:leaders channel sends every leaderboard (state, then "leaders"
// whenever one changed); the widget shows its own, cut to its limit.

import { html, nothing, type TemplateResult } from "lit";
import { RstatElement } from "../common/element.js";
import { teamName } from "../common/format.js";
import type { LiveMessage } from "../common/live.js";
import { LEADER_STATS, type Leader, type Leaderboards, type LeaderStat, type Team } from "../common/types.js";

interface Column {
  label: string;
  title: string;
  value: (l: Leader) => string | number;
  secondary?: boolean;
}

const games: Column = { label: "GP", title: "Games played", value: (l) => l.games, secondary: true };

export const COLUMNS: Record<LeaderStat, Column[]> = {
  goals: [games, { label: "G", title: "Goals", value: (l) => l.goals }],
  assists: [games, { label: "A", title: "Assists", value: (l) => l.assists }],
  points: [
    games,
    { label: "G", title: "Goals", value: (l) => l.goals, secondary: true },
    { label: "A", title: "Assists", value: (l) => l.assists, secondary: true },
    { label: "P", title: "Points", value: (l) => l.points },
  ],
  cards: [
    games,
    { label: "YC", title: "Yellow cards", value: (l) => l.yellow_cards },
    { label: "RC", title: "Red cards", value: (l) => l.red_cards },
    { label: "PIM", title: "Penalty minutes", value: (l) => l.penalty_minutes, secondary: true },
  ],
  goalies: [
    games,
    { label: "SV%", title: "Save percentage", value: (l) => l.save_pct.toFixed(3).replace(/^0/, "") },
    { label: "GAA", title: "Goals against average", value: (l) => l.goals_against_average.toFixed(2) },
    { label: "SO", title: "Shutouts", value: (l) => l.shutouts, secondary: true },
  ],
};

const TITLES: Record<LeaderStat, string> = {
  goals: "Top scorers",
  assists: "Assists",
  points: "Points",
  cards: "Cards",
  goalies: "Goalies",
};

export class RstatLeaders extends RstatElement {
  static override properties = {
    ...RstatElement.properties,
    season: { type: Number },
    stat: { type: String },
    limit: { type: Number },
    leaders: { state: true },
  };

  declare season: number;
  declare stat: string;
  declare limit: number;
  declare leaders: Leader[] | null;
  private teams: Map<number, Team> | null = null;

  constructor() {
    super();
    this.stat = "goals";
    this.limit = 10;
    this.leaders = null;
  }

  private get kind(): LeaderStat {
    return (LEADER_STATS as readonly string[]).includes(this.stat) ? (this.stat as LeaderStat) : "goals";
  }

  private get max(): number {
    return this.limit > 0 ? Math.min(this.limit, 500) : 10;
  }

  protected sourceKeys(): string[] {
    return ["season", "stat", "limit"];
  }

  protected what(): string {
    return `season ${this.season}`;
  }

  protected hasData(): boolean {
    return this.leaders !== null;
  }

  protected clear(): void {
    this.leaders = null;
  }

  protected async load(gen: number): Promise<void> {
    const ctx = this.ctx;
    if (ctx === null) return;
    const [leaders, teams] = await Promise.all([
      ctx.http.get<Leader[]>(`/v1/seasons/${this.season}/leaders/${this.kind}`, { limit: this.max }),
      ctx.teams(),
    ]);
    if (gen !== this.generation) return;
    this.teams = teams;
    this.leaders = leaders;
    this.listen(`season:${this.season}:leaders`, (message) => this.onMessage(gen, message));
  }

  private onMessage(gen: number, message: LiveMessage): void {
    if (gen !== this.generation || (message.kind !== "state" && message.kind !== "leaders")) return;
    const board = (message.body as Leaderboards | undefined)?.[this.kind];
    if (!Array.isArray(board)) return;
    if (board.length >= this.max || board.length >= (this.leaders?.length ?? 0)) {
      this.leaders = board.slice(0, this.max);
    } else {
      // the feed sends the top 20 or so: a longer board is read again over REST
      this.refresh(gen, async () => {
        const leaders = await this.ctx?.http.get<Leader[]>(`/v1/seasons/${this.season}/leaders/${this.kind}`, { limit: this.max });
        if (leaders && gen === this.generation) this.leaders = leaders;
      });
    }
  }

  protected override render(): TemplateResult {
    const title = TITLES[this.kind];
    return this.frame(title, this.leaders ? this.table(title, this.leaders) : nothing);
  }

  private table(title: string, leaders: Leader[]): TemplateResult {
    const columns = COLUMNS[this.kind];
    return html`<div class="scroll">
      <table part="table" data-stat=${this.kind}>
        <caption part="caption">${title}</caption>
        <thead>
          <tr>
            <th scope="col"><abbr title="Rank">#</abbr></th>
            <th scope="col" class="name">Player</th>
            <th scope="col" class="name sec">Team</th>
            ${columns.map((c) => html`<th scope="col" class=${c.secondary ? "sec" : ""}><abbr title=${c.title}>${c.label}</abbr></th>`)}
          </tr>
        </thead>
        <tbody>
          ${leaders.map(
            (l, i) => html`<tr part="row" data-player-id=${l.player_id} data-team-id=${l.team_id}>
              <td>${i + 1}</td>
              <th scope="row" class="name">${[l.first_name, l.last_name].filter(Boolean).join(" ") || `#${l.player_id}`}</th>
              <td class="name sec muted">${teamName(this.teams, l.team_id)}</td>
              ${columns.map((c) => html`<td class=${c.secondary ? "sec" : ""} data-col=${c.label}>${c.value(l)}</td>`)}
            </tr>`,
          )}
        </tbody>
      </table>
      ${leaders.length === 0 ? html`<p class="muted">No statistics yet.</p>` : nothing}
    </div>`;
  }
}
