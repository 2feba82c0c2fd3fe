// The server's answers to an entry's calls, folded into the page's copy of the match (and so into the
// snapshot kept on the device): a created event joins the events, a deleted one leaves, a patched match or
// line-up row replaces the old one. No second read is needed after an entry is sent.

import type { Operation } from "../offline/types.js";
import type { MatchContext } from "./data.js";
import type { EventRow, LineupRow, MatchRow } from "./model.js";

const tail = (path: string): number => Number(path.split("/").at(-1));

export function applyAnswer(context: MatchContext, op: Operation, answer: unknown): MatchContext {
  const base = `/v1/orgs/`;
  if (!op.path.startsWith(base)) return context;
  const resource = op.path.split("/")[4];
  const row = answer as Record<string, unknown> | null;
  switch (resource) {
    case "matches":
      if (row && typeof row.id === "number" && row.id === context.match.id) return { ...context, match: row as unknown as MatchRow };
      return context;
    case "match_events":
      if (op.method === "POST" && row && typeof row.id === "number") {
        const event = row as unknown as EventRow;
        const events = context.events.filter((e) => e.id !== event.id);
        return { ...context, events: [...events, event].sort((a, b) => a.id - b.id) };
      }
      if (op.method === "DELETE") return { ...context, events: context.events.filter((e) => e.id !== tail(op.path)) };
      return context;
    case "lineups":
      if ((op.method === "POST" || op.method === "PATCH") && row && typeof row.id === "number") {
        const lineup = row as unknown as LineupRow;
        return { ...context, lineups: [...context.lineups.filter((l) => l.id !== lineup.id), lineup] };
      }
      if (op.method === "DELETE") return { ...context, lineups: context.lineups.filter((l) => l.id !== tail(op.path)) };
      return context;
    default:
      return context;
  }
}

/** The first `count` answered calls of an entry, folded in order. */
export function applyAnswers(context: MatchContext, ops: readonly Operation[], answers: readonly unknown[]): MatchContext {
  return answers.reduce<MatchContext>((ctx, answer, i) => applyAnswer(ctx, ops[i], answer), context);
}
