// The scorer's outbox on fake-indexeddb: entries kept in order and across instances (a reload), sent in
// order with the Idempotency-Key fixed when they were made (the same key on every retry), stopped at a
// refusal that waits for the scorer, and a pending entry undone without any request.

import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, OfflineError } from "../../src/console/core/api.js";
import { Outbox, newKey } from "../../src/console/offline/queue.js";
import { IdbStore } from "../../src/console/offline/store.js";
import type { Operation } from "../../src/console/offline/types.js";

const SCOPE = "org:1:match:7";
const EVENTS = "/v1/orgs/1/match_events";

/** A fake admin API: answers each call from `answer`, records what it was sent. */
class Server {
  readonly calls: Operation[] = [];
  /** creates that reached the server, by Idempotency-Key (a retried key writes nothing new) */
  readonly written = new Map<string, { id: number; body: unknown }>();
  down = false;
  /** a refusal for the next call whose body has this minute */
  refuse = new Map<number, ApiError>();
  /** the next call is written but its answer is lost (the connection drops on the way back) */
  loseNextAnswer = false;
  /** a PATCH waits for this before it is answered */
  hold: Promise<void> | null = null;
  /** the server goes down after this many calls */
  downAfter = Infinity;
  private nextId = 100;

  readonly send = async (op: Operation): Promise<unknown> => {
    this.calls.push(structuredClone(op));
    if (op.method === "PATCH" && this.hold) await this.hold;
    if (this.calls.length > this.downAfter) {
      this.down = true;
      this.downAfter = Infinity;
    }
    if (this.down) return Promise.reject(new OfflineError(op.path));
    const minute = (op.body as { minute?: number } | undefined)?.minute;
    const refusal = minute === undefined ? undefined : this.refuse.get(minute);
    if (refusal) return Promise.reject(refusal);
    let answer: unknown = null;
    if (op.method === "POST") {
      const key = op.key ?? newKey();
      if (!this.written.has(key)) this.written.set(key, { id: this.nextId++, body: op.body });
      answer = this.written.get(key);
    }
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      return Promise.reject(new OfflineError(op.path));
    }
    return Promise.resolve(answer);
  };

  minutes(): number[] {
    return [...this.written.values()].map((w) => (w.body as { minute: number }).minute);
  }
}

const goal = (minute: number): Operation => ({ method: "POST", path: EVENTS, body: { kind: "goal", minute } });

let factory: IDBFactory;
let stores: IdbStore[];
let online: boolean;
let win: EventTarget;
let boxes: Outbox<{ minute: number }>[];

/** The outbox's retry clock, run by hand: what delays were asked for, and the retry run when told. */
class Clock {
  readonly delays: number[] = [];
  private due: (() => void) | null = null;
  readonly timers = {
    set: (run: () => void, ms: number): unknown => {
      this.delays.push(ms);
      this.due = run;
      return run;
    },
    clear: (handle: unknown): void => {
      if (this.due === handle) this.due = null;
    },
  };

  /** run the retry that is due */
  tick(): void {
    const run = this.due;
    this.due = null;
    expect(run, "a retry is scheduled").not.toBeNull();
    run?.();
  }
}

let clock: Clock;

async function outbox(server: Server): Promise<Outbox<{ minute: number }>> {
  const store = await IdbStore.open(factory);
  stores.push(store);
  const box = await Outbox.open<{ minute: number }>(store, SCOPE, server.send, {
    isOnline: () => online,
    events: win,
    initialDelayMs: 1000,
    random: () => 0,
    timers: clock.timers,
  });
  boxes.push(box);
  return box;
}

function goOnline(): void {
  online = true;
  win.dispatchEvent(new Event("online"));
}

beforeEach(() => {
  factory = new IDBFactory();
  stores = [];
  online = true;
  clock = new Clock();
  win = new EventTarget();
  boxes = [];
});

afterEach(() => {
  boxes.forEach((b) => b.close());
  stores.forEach((s) => s.close());
});

describe("the outbox", () => {
  it("sends entries in the order they were made, once each, and keeps nothing after", async () => {
    const server = new Server();
    const box = await outbox(server);
    const sent: number[] = [];
    box.onSent((e) => sent.push(e.meta.minute));
    await box.add([goal(3)], { minute: 3 });
    await box.add([goal(9)], { minute: 9 });
    await box.add([goal(27)], { minute: 27 });
    await vi.waitFor(() => expect(sent).toEqual([3, 9, 27]));
    expect(server.minutes()).toEqual([3, 9, 27]);
    expect(box.entries).toEqual([]);
    expect(await (await outbox(server)).entries).toEqual([]);
  });

  it("keeps entries made offline, in order, across a reload, and sends them when the connection returns", async () => {
    const server = new Server();
    online = false;
    const first = await outbox(server);
    for (const minute of [5, 6, 7]) await first.add([goal(minute)], { minute });
    expect(server.calls).toEqual([]); // the browser says offline: nothing is even tried
    expect(first.connection).toBe("offline");
    expect(first.entries.map((e) => [e.meta.minute, e.state])).toEqual([
      [5, "pending"],
      [6, "pending"],
      [7, "pending"],
    ]);
    first.close(); // the page is reloaded

    const second = await outbox(server);
    expect(second.entries.map((e) => e.meta.minute)).toEqual([5, 6, 7]);
    expect(second.entries.map((e) => e.ops[0].key)).toEqual(first.entries.map((e) => e.ops[0].key));
    await second.flush(); // the reloaded page asks to send what waits: still offline, nothing is tried
    expect(server.calls).toEqual([]);
    expect(second.connection).toBe("offline");
    goOnline();
    await vi.waitFor(() => expect(second.entries).toEqual([]));
    expect(server.minutes()).toEqual([5, 6, 7]);
    expect(second.connection).toBe("online");
  });

  it("retries with the same Idempotency-Key, so an answer lost on the way back writes nothing twice", async () => {
    const server = new Server();
    const box = await outbox(server);
    server.loseNextAnswer = true;
    await box.add([goal(12)], { minute: 12 });
    await vi.waitFor(() => expect(box.connection).toBe("offline"));
    expect(server.calls.length).toBe(1);
    expect(box.entries).toHaveLength(1); // not known to be written: it stays
    clock.tick(); // the first retry
    await vi.waitFor(() => expect(box.entries).toEqual([]));
    expect(server.calls.map((c) => c.key)).toEqual([server.calls[0].key, server.calls[0].key]);
    expect(server.written.size).toBe(1);
  });

  it("retries a server error and a key still held by the first attempt, instead of calling them refusals", async () => {
    const server = new Server();
    server.refuse.set(8, new ApiError(503, "unavailable", "the database is restarting", {}));
    const box = await outbox(server);
    await box.add([goal(8)], { minute: 8 });
    await vi.waitFor(() => expect(clock.delays).toEqual([1000]));
    expect(box.entries[0].state).toBe("pending");
    server.refuse.set(8, new ApiError(422, "invalid", "Idempotency-Key 'k' is in use", { rule: "idempotency_key_in_use" }));
    clock.tick();
    await vi.waitFor(() => expect(clock.delays).toEqual([1000, 2000]));
    expect(box.entries[0].state).toBe("pending");
    server.refuse.clear();
    clock.tick();
    await vi.waitFor(() => expect(box.entries).toEqual([]));
    expect(server.minutes()).toEqual([8]);
  });

  it("backs off while the server cannot be reached: 1 s, 2 s, 4 s", async () => {
    const server = new Server();
    server.down = true;
    const box = await outbox(server);
    await box.add([goal(1)], { minute: 1 });
    await vi.waitFor(() => expect(clock.delays).toEqual([1000]));
    clock.tick();
    await vi.waitFor(() => expect(clock.delays).toEqual([1000, 2000]));
    clock.tick();
    await vi.waitFor(() => expect(clock.delays).toEqual([1000, 2000, 4000]));
    expect(server.calls.length).toBe(3);
    server.down = false;
    clock.tick();
    await vi.waitFor(() => expect(box.entries).toEqual([]));
    expect(new Set(server.calls.map((c) => c.key)).size).toBe(1);
  });

  it("stops at a refused entry, keeps it (and the ones behind it) as they were, and never drops it", async () => {
    const server = new Server();
    server.refuse.set(
      9,
      new ApiError(409, "conflict", "match 7 is finished: a scorer can no longer change its events", {
        rule: "match_closed",
        match_status: "finished",
      }),
    );
    const box = await outbox(server);
    for (const minute of [3, 9, 27]) await box.add([goal(minute)], { minute });
    await vi.waitFor(() => expect(box.conflict?.meta.minute).toBe(9));
    expect(server.minutes()).toEqual([3]);
    expect(box.entries.map((e) => [e.meta.minute, e.state])).toEqual([
      [9, "conflict"],
      [27, "pending"],
    ]);
    expect(box.conflict?.refusal?.rule).toBe("match_closed");
    expect(box.conflict?.refusal?.detail).toContain("no longer change");
    // still there after a reload, still in conflict, still holding the next one
    const again = await outbox(server);
    await again.flush();
    expect(again.entries.map((e) => [e.meta.minute, e.state])).toEqual([
      [9, "conflict"],
      [27, "pending"],
    ]);
    expect(server.minutes()).toEqual([3]);
    box.close();

    // the scorer reopens the match and sends it again: the reopening goes first, then the entry, then the rest
    server.refuse.clear();
    const reopen: Operation = { method: "PATCH", path: "/v1/orgs/1/matches/7", body: { status: "live" } };
    await again.resend(again.entries[0].id, [reopen]);
    await vi.waitFor(() => expect(again.entries).toEqual([]));
    expect(server.minutes()).toEqual([3, 9, 27]);
    expect(server.calls.slice(-3).map((c) => c.method)).toEqual(["PATCH", "POST", "POST"]);
  });

  it("discards a refused entry when the scorer says so, and sends the ones behind it", async () => {
    const server = new Server();
    server.refuse.set(9, new ApiError(409, "conflict", "player 4 is not in the line-up of match 7", { rule: "lineup" }));
    const box = await outbox(server);
    for (const minute of [9, 27]) await box.add([goal(minute)], { minute });
    await vi.waitFor(() => expect(box.conflict).toBeDefined());
    const withdrawn = await box.withdraw(box.entries[0].id);
    expect(withdrawn?.entry.meta.minute).toBe(9);
    await vi.waitFor(() => expect(box.entries).toEqual([]));
    expect(server.minutes()).toEqual([27]);
  });

  it("undoes a pending entry without any request", async () => {
    const server = new Server();
    online = false;
    const box = await outbox(server);
    await box.add([goal(40)], { minute: 40 });
    const last = await box.add([goal(41)], { minute: 41 });
    expect(await box.withdraw(last.id)).not.toBeNull();
    expect(server.calls).toEqual([]);
    const reloaded = await outbox(server);
    expect(reloaded.entries.map((e) => e.meta.minute)).toEqual([40]);
    reloaded.close();
    goOnline();
    await vi.waitFor(() => expect(box.entries).toEqual([]));
    expect(server.minutes()).toEqual([40]);
  });

  it("waits for a call on its way before an undo, and gives back what of the entry the server accepted", async () => {
    const server = new Server();
    const box = await outbox(server);
    const score: Operation = { method: "PATCH", path: "/v1/orgs/1/matches/7", body: { home_score: 1 } };
    let release = (): void => undefined;
    server.hold = new Promise<void>((resolve) => (release = resolve));
    const entry = await box.add([goal(50), score], { minute: 50 });
    await vi.waitFor(() => expect(server.calls.map((c) => c.method)).toEqual(["POST", "PATCH"]));
    const undo = box.withdraw(entry.id); // the PATCH is on its way: the undo waits for it
    server.down = true; // ... and the connection drops before the PATCH arrives
    release();
    const withdrawn = await undo;
    expect(withdrawn?.entry.done).toBe(1); // the goal was written: the page deletes it on the server
    expect(withdrawn?.entry.answers[0]).toEqual({ id: 100, body: { kind: "goal", minute: 50 } });
    expect(box.entries).toEqual([]);
    server.down = false;
    await box.flush();
    expect(server.calls.map((c) => c.method)).toEqual(["POST", "PATCH"]); // the rest of it is never sent
  });

  it("resumes an entry of several calls at the call where it stopped", async () => {
    const server = new Server();
    const box = await outbox(server);
    const score: Operation = { method: "PATCH", path: "/v1/orgs/1/matches/7", body: { home_score: 1 } };
    server.downAfter = 1;
    await box.add([goal(60), score], { minute: 60 });
    await vi.waitFor(() => expect(box.connection).toBe("offline"));
    expect(box.entries[0].done).toBe(1);
    expect((await outbox(server)).entries[0].done).toBe(1); // kept on the device
    server.down = false;
    clock.tick();
    await vi.waitFor(() => expect(box.entries).toEqual([]));
    expect(server.calls.map((c) => c.method)).toEqual(["POST", "PATCH", "PATCH"]);
    expect(server.written.size).toBe(1);
  });
});
