// <rstat-scoreboard stage="7" [round="12"]>: the matches of a round with scores and a live badge.
// Without round: the current round, i.e. the first round with a match not finished, else the last one
// (a postponed or cancelled match does not hold the scoreboard back on its round for the rest of the season).

import { html, nothing, type TemplateResult } from "lit";
import type { RstatContext } from "../common/context.js";
import { allMatches, MatchListElement } from "../common/matchlist.js";
import { matchStyles } from "../common/matchstyles.js";
import type { MatchSummary } from "../common/types.js";

const DONE = new Set(["finished", "awarded", "cancelled", "postponed"]);

/** The first round with a match still to be played (scheduled or live), else the last round. */
export function currentRound(matches: MatchSummary[]): number | null {
  const rounds = [...new Set(matches.map((m) => m.round))].sort((a, b) => a - b);
  for (const round of rounds) {
    if (matches.some((m) => m.round === round && !DONE.has(m.status))) return round;
  }
  return rounds.length ? rounds[rounds.length - 1] : null;
}

export class RstatScoreboard extends MatchListElement {
  static override styles = [...MatchListElement.styles, matchStyles];

  static override properties = {
    ...MatchListElement.properties,
    round: { type: Number },
    shownRound: { state: true },
  };

  declare round: number | undefined;
  declare shownRound: number | null;

  constructor() {
    super();
    this.shownRound = null;
  }

  protected sourceKeys(): string[] {
    return ["stage", "round"];
  }

  protected async fetch(ctx: RstatContext): Promise<MatchSummary[]> {
    if (this.round !== undefined && this.round !== null && !Number.isNaN(this.round)) {
      this.shownRound = this.round;
      return allMatches(ctx, this.stage, { round: this.round });
    }
    const every = await allMatches(ctx, this.stage, {});
    const round = currentRound(every);
    this.shownRound = round;
    return every.filter((m) => m.round === round);
  }

  protected override render(): TemplateResult {
    const matches = this.items;
    const title = this.shownRound !== null && this.shownRound !== undefined ? `Round ${this.shownRound}` : "Matches";
    const sorted = [...(matches ?? [])].sort((a, b) => (a.kickoff ?? "").localeCompare(b.kickoff ?? "") || a.id - b.id);
    return this.frame(
      title,
      matches
        ? html`<div class="scroll">
            <table part="table" data-round=${this.shownRound ?? ""}>
              <caption part="caption">${title}</caption>
              ${this.head()}
              <tbody>
                ${sorted.map((m) => this.row(m, false))}
              </tbody>
            </table>
            ${sorted.length === 0 ? html`<p class="muted">No matches.</p>` : nothing}
          </div>`
        : nothing,
    );
  }
}
