// The embeddable widgets, one bundle: importing it registers the elements (once per page, whatever loads
// it twice) and installs the debugging surface window.rstat (see common/context.ts).

import { installDebug } from "../common/context.js";
import { RstatCalendar } from "./calendar.js";
import { RstatLeaders } from "./leaders.js";
import { RstatMatch } from "./match.js";
import { RstatScoreboard } from "./scoreboard.js";
import { RstatStandings } from "./standings.js";

export const version = "1";

export const ELEMENTS = {
  "rstat-standings": RstatStandings,
  "rstat-match": RstatMatch,
  "rstat-scoreboard": RstatScoreboard,
  "rstat-leaders": RstatLeaders,
  "rstat-calendar": RstatCalendar,
} as const;

for (const [name, element] of Object.entries(ELEMENTS)) {
  if (!customElements.get(name)) customElements.define(name, element);
}
installDebug(version);

export { setEnvironment, resetContexts, connections } from "../common/context.js";
export { RstatCalendar, RstatLeaders, RstatMatch, RstatScoreboard, RstatStandings };
