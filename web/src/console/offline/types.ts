// What the outbox stores: an entry is one thing the scorer did (a goal, a card, an undo, the final whistle),
// made of the API calls that write it, sent in order. An entry keeps how many of its calls the server has
// accepted and their answers, so a retry resumes where the last attempt stopped, and each create call carries
// the Idempotency-Key chosen when the entry was made, so a retry after a lost answer never writes twice.

export type Method = "POST" | "PATCH" | "DELETE";

export interface Operation {
  method: Method;
  /** an admin API path: /v1/orgs/{org}/match_events */
  path: string;
  body?: unknown;
  /** the Idempotency-Key of a create, fixed when the entry is made */
  key?: string;
}

/** pending: waits to be sent (or is being sent); conflict: the server refused it, the scorer decides */
export type EntryState = "pending" | "conflict";

/** the server's refusal of an entry, kept with it (and on the device) until the scorer resolves it */
export interface Refusal {
  status: number;
  code: string;
  detail: string;
  rule?: string;
  body: Record<string, unknown>;
}

export interface Entry<M = unknown> {
  /** a local id (a UUID), never sent */
  id: string;
  /** whose entries these are: one outbox per scope (a match) */
  scope: string;
  /** the order of the entries of a scope: a number that grows */
  seq: number;
  /** milliseconds since the epoch, when the scorer made it */
  made_at: number;
  ops: Operation[];
  /** how many ops the server accepted */
  done: number;
  /** the server's answers to the accepted ops, in order */
  answers: unknown[];
  state: EntryState;
  refusal: Refusal | null;
  /** what the page needs to show it (the event it creates, the match fields it changes) */
  meta: M;
}
