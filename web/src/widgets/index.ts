// The embeddable widgets, one bundle: importing it registers the elements (once per page, whatever loads
// it twice) and installs the debugging surface window.rstat (see common/context.ts).
//
//   <rstat-standings stage="7" [live] [group="12"]>
//   <rstat-match match="123">
//   <rstat-scoreboard stage="7" [round="12"]>
//   <rstat-leaders season="3" [stat="goals|assists|points|cards|goalies"] [limit="10"]>
//   <rstat-calendar stage="7" [team="12"] [group-by="round|date"]>
//   <rstat-odds stage="7" [group="12"] [next="5"]>
// Every element also takes base, api-key or token, and poll (seconds between REST reads when the
// WebSocket cannot be used); without them: <meta name="rstat-base|rstat-api-key|rstat-token">, then
// the bundle's own origin. Theming: CSS custom properties (common/styles.ts); events: common/element.ts.

import { installDebug } from "../common/context.js";
import { RstatCalendar } from "./calendar.js";
import { RstatLeaders } from "./leaders.js";
import { RstatMatch } from "./match.js";
import { RstatOdds } from "./odds.js";
import { RstatScoreboard } from "./scoreboard.js";
import { RstatStandings } from "./standings.js";

export const version = "1";

export const ELEMENTS = {
  "rstat-standings": RstatStandings,
  "rstat-match": RstatMatch,
  "rstat-scoreboard": RstatScoreboard,
  "rstat-leaders": RstatLeaders,
  "rstat-calendar": RstatCalendar,
  "rstat-odds": RstatOdds,
} as const;

for (const [name, element] of Object.entries(ELEMENTS)) {
  if (!customElements.get(name)) customElements.define(name, element);
}
installDebug(version);

export { setEnvironment, resetContexts, connections } from "../common/context.js";
export { RstatCalendar, RstatLeaders, RstatMatch, RstatOdds, RstatScoreboard, RstatStandings };
