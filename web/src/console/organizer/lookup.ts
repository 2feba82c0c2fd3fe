// Reading the admin API's lists: one page (with its total, for the paged tables), or every row of a small
// resource (teams, players, venues) to name them in tables and offer them in selects. Those complete lists
// are read once per organization and kept until a page that changes them says so (forget).

import type { AdminClient } from "../core/api.js";
import type { RefKind, Row } from "./forms.js";

export interface Page<T = Row> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** the API's largest page */
export const MAX_PAGE = 500;

export function listPage<T = Row>(
  client: AdminClient,
  org: number,
  resource: string,
  query: Record<string, string | number | undefined> = {},
): Promise<Page<T>> {
  return client.request<Page<T>>("GET", `/v1/orgs/${org}/${resource}`, { query });
}

/** Every row of a resource (pages of 500 until the total is read). */
export async function listAll<T = Row>(
  client: AdminClient,
  org: number,
  resource: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T[]> {
  const rows: T[] = [];
  for (;;) {
    const page = await listPage<T>(client, org, resource, { ...query, limit: MAX_PAGE, offset: rows.length });
    rows.push(...page.items);
    if (page.items.length === 0 || rows.length >= page.total) return rows;
  }
}

/** How a row of each resource is named for people. */
export function refLabel(kind: RefKind, row: Row): string {
  if (kind === "players") {
    return [row.first_name, row.last_name].filter((part) => typeof part === "string" && part).join(" ");
  }
  if (kind === "venues" && typeof row.city === "string" && row.city) return `${String(row.name)} (${row.city})`;
  return String(row.name ?? `#${row.id}`);
}

const cache = new WeakMap<AdminClient, Map<string, Promise<Row[]>>>();

function cached(client: AdminClient): Map<string, Promise<Row[]>> {
  let found = cache.get(client);
  if (found === undefined) {
    found = new Map();
    cache.set(client, found);
  }
  return found;
}

/** Every row of `kind` in the organization, read once (a failed read is tried again next time). */
export function rowsOf(client: AdminClient, org: number, kind: RefKind): Promise<Row[]> {
  const rows = cached(client);
  const key = `${org}/${kind}`;
  let found = rows.get(key);
  if (found === undefined) {
    found = listAll<Row>(client, org, kind);
    found.catch(() => rows.delete(key));
    rows.set(key, found);
  }
  return found;
}

/** [id, name] of every row of `kind`, sorted by name: a select's options. */
export async function choicesOf(client: AdminClient, org: number, kind: RefKind): Promise<[number, string][]> {
  const rows = await rowsOf(client, org, kind);
  return rows.map((row): [number, string] => [row.id, refLabel(kind, row)]).sort((a, b) => a[1].localeCompare(b[1]));
}

/** The rows of `kind` changed (created, imported, renamed, deleted): read them again when next asked. */
export function forget(client: AdminClient, org: number, kind: RefKind): void {
  cached(client).delete(`${org}/${kind}`);
}
