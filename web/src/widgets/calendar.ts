// <rstat-calendar stage="7" [team="12"] [group-by="round"|"date"]>: the stage's matches (optionally one
// team's), grouped by round (default) or by day in the visitor's timezone, with results or kick-off times.

import { html, nothing, type TemplateResult } from "lit";
import type { RstatContext } from "../common/context.js";
import { kickoffDate, localDay } from "../common/format.js";
import { allMatches, MatchListElement } from "../common/matchlist.js";
import { matchStyles } from "../common/matchstyles.js";
import type { MatchSummary } from "../common/types.js";

export function groupMatches(matches: MatchSummary[], by: "round" | "date"): { key: string; title: string; matches: MatchSummary[] }[] {
  const sorted = [...matches].sort(
    (a, b) => (by === "round" ? a.round - b.round : 0) || (a.kickoff ?? "\uffff").localeCompare(b.kickoff ?? "\uffff") || a.id - b.id,
  );
  const groups = new Map<string, { key: string; title: string; matches: MatchSummary[] }>();
  for (const m of sorted) {
    const key = by === "round" ? String(m.round) : localDay(m.kickoff) || "tbd";
    let group = groups.get(key);
    if (group === undefined) {
      const title = by === "round" ? `Round ${m.round}` : m.kickoff ? kickoffDate(m.kickoff) : "Date to be decided";
      group = { key, title, matches: [] };
      groups.set(key, group);
    }
    group.matches.push(m);
  }
  return [...groups.values()];
}

export class RstatCalendar extends MatchListElement {
  static override styles = [...MatchListElement.styles, matchStyles];

  static override properties = {
    ...MatchListElement.properties,
    team: { type: Number },
    groupBy: { type: String, attribute: "group-by" },
  };

  declare team: number | undefined;
  declare groupBy: string | undefined;

  protected sourceKeys(): string[] {
    return ["stage", "team"];
  }

  protected fetch(ctx: RstatContext): Promise<MatchSummary[]> {
    const team = this.team !== undefined && this.team !== null && !Number.isNaN(this.team) ? this.team : undefined;
    return allMatches(ctx, this.stage, { team });
  }

  protected override render(): TemplateResult {
    const matches = this.items;
    const by = this.groupBy === "date" ? "date" : "round";
    return this.frame(
      "Calendar",
      matches
        ? html`${groupMatches(matches, by).map(
              (g) => html`<div class="scroll">
                <table part="table" data-group=${g.key}>
                  <caption part="caption">${g.title}</caption>
                  ${this.head()}
                  <tbody>
                    ${g.matches.map((m) => this.row(m, by === "round"))}
                  </tbody>
                </table>
              </div>`,
            )}
            ${matches.length === 0 ? html`<p class="muted">No matches.</p>` : nothing}`
        : nothing,
    );
  }
}
