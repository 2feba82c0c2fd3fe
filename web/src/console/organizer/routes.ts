// The console's addresses (hash routes, so the admin app serves one page at /console and a reload keeps the
// place) and who may see what. The server checks every request again; these rules only keep the console
// from showing a page or a button that the API would refuse.
//
//   #/login                      sign in
//   #/orgs                       pick (or create) an organization
//   #/o/{org}                    the organization's first page for the user's role
//   #/o/{org}/competitions[/{id}]   competitions, a competition's seasons
//   #/o/{org}/seasons/{id}          a season's stages, roster and suspensions
//   #/o/{org}/stages/{id}[/{tab}]   a stage: matches | calendar | standings | points | settings
//   #/o/{org}/teams | players | venues | matches | crawl-jobs | members | clients
//   #/o/{org}/history/{match}    a match's history: its changes and its events' (the audit trail)
//   #/o/{org}/import/{teams|players}
//   #/o/{org}/score/{match}      the scorer's page of one match (<rstat-scorer>)

import { atLeast, type Role } from "../core/session.js";

export type View =
  | "home"
  | "competitions"
  | "competition"
  | "season"
  | "stage"
  | "teams"
  | "players"
  | "venues"
  | "import"
  | "matches"
  | "members"
  | "clients"
  | "crawl-jobs"
  | "history"
  | "score";

export const STAGE_TABS = ["matches", "calendar", "standings", "points", "settings"] as const;
export type StageTab = (typeof STAGE_TABS)[number];

export type Route =
  | { page: "login" }
  | { page: "orgs" }
  | { page: "org"; org: number; view: View; id?: number; tab?: string };

const WITH_ID: Partial<Record<string, View>> = {
  competitions: "competition",
  seasons: "season",
  stages: "stage",
  score: "score",
  history: "history",
};
const LISTS: readonly View[] = ["competitions", "teams", "players", "venues", "matches", "crawl-jobs", "members", "clients"];

const isId = (text: string | undefined): boolean => text !== undefined && /^[1-9][0-9]{0,15}$/.test(text);

/** The route of a location hash; anything unknown is null (the shell then picks a page). */
export function parseRoute(hash: string): Route | null {
  const parts = hash.replace(/^#?\/?/, "").split("/").filter(Boolean);
  if (parts.length === 1 && parts[0] === "login") return { page: "login" };
  if (parts.length === 1 && parts[0] === "orgs") return { page: "orgs" };
  if (parts[0] !== "o" || !isId(parts[1])) return null;
  const org = Number(parts[1]);
  const [section, id, tab] = parts.slice(2);
  if (section === undefined) return { page: "org", org, view: "home" };
  if (section === "import" && (id === "teams" || id === "players") && tab === undefined) {
    return { page: "org", org, view: "import", tab: id };
  }
  const detail = WITH_ID[section];
  if (id !== undefined && detail !== undefined && isId(id)) {
    if (tab !== undefined && !(detail === "stage" && (STAGE_TABS as readonly string[]).includes(tab))) return null;
    return tab === undefined ? { page: "org", org, view: detail, id: Number(id) } : { page: "org", org, view: detail, id: Number(id), tab };
  }
  if (id === undefined && (LISTS as readonly string[]).includes(section)) return { page: "org", org, view: section as View };
  return null;
}

/** The hash of a route: `href({page: "org", org: 1, view: "stage", id: 7, tab: "calendar"})` = `#/o/1/stages/7/calendar`. */
export function href(route: Route): string {
  if (route.page !== "org") return `#/${route.page}`;
  const base = `#/o/${route.org}`;
  switch (route.view) {
    case "home":
      return base;
    case "competition":
      return `${base}/competitions/${route.id ?? ""}`;
    case "season":
      return `${base}/seasons/${route.id ?? ""}`;
    case "stage":
      return `${base}/stages/${route.id ?? ""}${route.tab ? `/${route.tab}` : ""}`;
    case "score":
      return `${base}/score/${route.id ?? ""}`;
    case "history":
      return `${base}/history/${route.id ?? ""}`;
    case "import":
      return `${base}/import/${route.tab ?? "teams"}`;
    default:
      return `${base}/${route.view}`;
  }
}

/** A link inside an organization: `orgHref(1, "stage", 7, "calendar")`. */
export const orgHref = (org: number, view: View, id?: number, tab?: string): string =>
  href({ page: "org", org, view, id, tab });

/** A scorer's console is the match list and the scoring page: the organizer's pages are for the other
 * roles (a viewer reads them without any button that would change something). */
const organizer = (role: Role | undefined): boolean => role !== undefined && role !== "scorer";

/** Who may open each view (the API would refuse the rest, or there is nothing there for the role). */
export const CAN_VIEW: Record<View, (role: Role | undefined) => boolean> = {
  home: (role) => role !== undefined,
  competitions: organizer,
  competition: organizer,
  season: organizer,
  stage: organizer,
  teams: organizer,
  players: organizer,
  venues: organizer,
  matches: (role) => role !== undefined,
  import: (role) => atLeast(role, "editor"),
  members: (role) => atLeast(role, "owner"),
  clients: (role) => atLeast(role, "owner"),
  // every member reads the crawl jobs (editors and owners change them); a scorer's console stays the matches
  "crawl-jobs": organizer,
  score: (role) => atLeast(role, "scorer"),
  // the roles that write read who wrote what (api/admin/history.py: a viewer reads the data, not its authors)
  history: (role) => atLeast(role, "scorer"),
};

/** What each view is about, in words for "your role cannot ..." */
const WHAT: Record<View, string> = {
  home: "open this organization",
  competitions: "see the competitions",
  competition: "see the competitions",
  season: "see the seasons",
  stage: "see the stages",
  teams: "see the teams",
  players: "see the players",
  venues: "see the venues",
  matches: "see the matches",
  import: "import teams or players",
  members: "manage the members",
  clients: "manage the website API clients",
  "crawl-jobs": "see the crawl jobs",
  score: "score matches",
  history: "read a match's history",
};

export function refusal(view: View, role: Role | undefined): string {
  if (role === undefined) return "You are not a member of this organization (or your sign-in predates it: sign in again).";
  const only = role === "scorer" ? " A scorer's console is the match list and the scoring page." : "";
  return `Your role in this organization (${role}) cannot ${WHAT[view]}.${only}`;
}

/** Where "#/o/{org}" leads: the scorer's matches, everyone else's competitions. */
export const homeView = (role: Role | undefined): View => (organizer(role) ? "competitions" : "matches");

export interface NavItem {
  view: View;
  label: string;
}

const NAV: readonly NavItem[] = [
  { view: "competitions", label: "Competitions" },
  { view: "teams", label: "Teams" },
  { view: "players", label: "Players" },
  { view: "venues", label: "Venues" },
  { view: "matches", label: "Matches" },
  { view: "import", label: "Import" },
  { view: "crawl-jobs", label: "Crawl jobs" },
  { view: "members", label: "Members" },
  { view: "clients", label: "Website API clients" },
];

/** The menu of a role: only the pages it may open. */
export const navFor = (role: Role | undefined): NavItem[] => NAV.filter((item) => CAN_VIEW[item.view](role));

/** Which menu item a view belongs to (a season page sits under Competitions). */
export function navOf(view: View): View {
  if (view === "competition" || view === "season" || view === "stage") return "competitions";
  if (view === "score" || view === "history") return "matches";
  return view;
}
