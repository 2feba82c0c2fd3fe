// <rstat-standings stage="7" [live] [group="12"]>: a stage's table per group, each row saying why it is
// below the row above (its decided_by criterion in words, from GET /v1/criteria).
// Live: the stage:{id} channel sends the state ({standings, live_standings}) and then one changed group at
// a time ("standings" / "live_standings"); the widget replaces that group.

import { css, html, nothing, type TemplateResult } from "lit";
import { RstatElement } from "../common/element.js";
import { signed, teamName } from "../common/format.js";
import type { LiveMessage } from "../common/live.js";
import { isHockey, type Criteria, type Stage, type StageState, type StandingsGroup, type StandingsRow, type Team } from "../common/types.js";

interface Data {
  stage: Stage;
  groups: StandingsGroup[];
  teams: Map<number, Team>;
  criteria: Criteria;
}

/** Why `row` (at index i) is below the row above, in words; "" for the first row. */
export function whyBelow(rows: StandingsRow[], i: number, teams: Map<number, Team> | null, criteria: Criteria): string {
  if (i === 0) return "";
  const row = rows[i];
  const above = rows[i - 1];
  let criterion = row.decided_by;
  if (!criterion && row.unresolved && above.rank === row.rank) criterion = "unresolved";
  if (!criterion) return "";
  const name = teamName(teams, above.team_id);
  if (criterion === "unresolved") {
    const words = criteria["unresolved"] ?? "the regulation settles it";
    return `Level with ${name} \u2014 ${words}`;
  }
  return `Below ${name} on ${criteria[criterion] ?? criterion.replaceAll("_", " ")}`;
}

const isEmpty = (groups: StandingsGroup[] | undefined): boolean =>
  !Array.isArray(groups) || groups.every((g) => g.rows.length === 0);

export function replaceGroup(groups: StandingsGroup[], group: StandingsGroup): StandingsGroup[] {
  const found = groups.some((g) => g.group_id === group.group_id);
  const next = found ? groups.map((g) => (g.group_id === group.group_id ? group : g)) : [...groups, group];
  return next;
}

export class RstatStandings extends RstatElement {
  static override styles = [
    ...RstatElement.styles,
    css`
      .why {
        display: block;
        white-space: normal;
        font-weight: normal;
        font-size: 0.8em;
        color: var(--rstat-muted, #666);
      }
      tr:not(:hover):not(:focus):not(:focus-within) .why {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
      td.pts {
        font-weight: 700;
      }
    `,
  ];

  static override properties = {
    ...RstatElement.properties,
    stage: { type: Number },
    live: { type: Boolean },
    group: { type: Number },
    data: { state: true },
  };

  declare stage: number;
  declare live: boolean;
  /** only this group (default: every group) */
  declare group: number | undefined;
  declare data: Data | null;

  constructor() {
    super();
    this.live = false;
    this.data = null;
  }

  protected sourceKeys(): string[] {
    return ["stage", "live"];
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
    const [stage, found, teams, criteria] = await Promise.all([
      ctx.http.get<Stage>(`/v1/stages/${id}`),
      ctx.http.get<StandingsGroup[]>(`/v1/stages/${id}/standings`, { live: this.live }),
      ctx.teams(),
      ctx.criteria(),
    ]);
    // no live table (nothing computed live for this stage yet): the final one is the live one
    const groups = this.live && isEmpty(found) ? await ctx.http.get<StandingsGroup[]>(`/v1/stages/${id}/standings`, { live: false }) : found;
    if (gen !== this.generation) return;
    this.data = { stage, groups, teams, criteria };
    this.listen(`stage:${id}`, (message) => this.onMessage(gen, message));
  }

  private onMessage(gen: number, message: LiveMessage): void {
    if (gen !== this.generation || this.data === null) return;
    const wanted = this.live ? "live_standings" : "standings";
    if (message.kind === "state") {
      const body = message.body as StageState;
      const groups = this.live && isEmpty(body.live_standings) ? body.standings : body[wanted];
      if (Array.isArray(groups)) this.data = { ...this.data, groups };
    } else if (message.kind === wanted) {
      this.data = { ...this.data, groups: replaceGroup(this.data.groups, message.body as StandingsGroup) };
    } else {
      return;
    }
    // a team that appeared since the page loaded: its name arrives with the next teams read
    if (this.data.groups.some((g) => g.rows.some((r) => !this.data?.teams.has(r.team_id)))) {
      this.refresh(gen, async () => {
        const teams = await this.ctx?.teams();
        if (teams && gen === this.generation && this.data) this.data = { ...this.data, teams };
      });
    }
  }

  protected override render(): TemplateResult {
    const data = this.data;
    const label = data ? `${data.stage.name}: standings` : "Standings";
    return this.frame(label, data ? this.tables(data) : nothing);
  }

  private tables(data: Data): TemplateResult {
    const names = new Map(data.stage.groups.map((g) => [g.id, g.name]));
    const groups = data.groups.filter((g) => this.group === undefined || this.group === null || g.group_id === this.group);
    if (groups.length === 0) return html`<p class="muted">No standings yet.</p>`;
    return html`${groups.map((group) => this.table(data, group, names.get(group.group_id ?? -1) ?? ""))}`;
  }

  private table(data: Data, group: StandingsGroup, groupName: string): TemplateResult {
    const hockey = isHockey(data.stage.sport);
    const caption = [data.stage.competition_name, data.stage.name, groupName].filter(Boolean).join(" · ");
    const gid = group.group_id ?? 0;
    return html`<div class="scroll">
      <table part="table" data-group-id=${group.group_id ?? ""} data-live=${this.live ? "true" : "false"}>
        <caption part="caption">
          ${caption}
          ${this.live
            ? html` <span class="badge" part="badge" title="matches in play counted">live</span
                ><span class="vh">: standings with the matches in play counted</span>`
            : nothing}
        </caption>
        <thead>
          <tr>
            <th scope="col"><abbr title="Position">#</abbr></th>
            <th scope="col" class="name">Team</th>
            <th scope="col"><abbr title="Played">P</abbr></th>
            <th scope="col" class="sec"><abbr title="Won">W</abbr></th>
            ${hockey ? html`<th scope="col" class="sec"><abbr title="Won in overtime or shoot-out">OTW</abbr></th>` : nothing}
            <th scope="col" class="sec"><abbr title="Drawn">D</abbr></th>
            ${hockey ? html`<th scope="col" class="sec"><abbr title="Lost in overtime or shoot-out">OTL</abbr></th>` : nothing}
            <th scope="col" class="sec"><abbr title="Lost">L</abbr></th>
            <th scope="col" class="sec"><abbr title="Goals for and against">Goals</abbr></th>
            <th scope="col"><abbr title="Goal difference">GD</abbr></th>
            <th scope="col"><abbr title="Points">Pts</abbr></th>
          </tr>
        </thead>
        <tbody>
          ${group.rows.map((row, i) => {
            const why = whyBelow(group.rows, i, data.teams, data.criteria);
            const whyId = `why-${gid}-${row.team_id}`;
            return html`<tr
              part="row"
              tabindex="0"
              data-team-id=${row.team_id}
              data-position=${row.position}
              data-decided-by=${row.decided_by}
              title=${why || nothing}
              aria-describedby=${why ? whyId : nothing}
            >
              <td data-col="position">${row.position}</td>
              <th scope="row" class="name" data-col="team">
                ${teamName(data.teams, row.team_id)}
                ${why ? html`<span class="why" id=${whyId} part="why">${why}</span>` : nothing}
              </th>
              <td data-col="played">${row.played}</td>
              <td class="sec" data-col="won">${row.won}</td>
              ${hockey ? html`<td class="sec" data-col="ot_won">${row.ot_won}</td>` : nothing}
              <td class="sec" data-col="drawn">${row.drawn}</td>
              ${hockey ? html`<td class="sec" data-col="ot_lost">${row.ot_lost}</td>` : nothing}
              <td class="sec" data-col="lost">${row.lost}</td>
              <td class="sec" data-col="goals">${row.goals_for}:${row.goals_against}</td>
              <td data-col="goal_diff">${signed(row.goal_diff)}</td>
              <td class="pts" data-col="points">${row.points}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }
}
