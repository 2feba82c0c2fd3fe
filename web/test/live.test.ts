import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BACKOFF_MAX_MS,
  DEFAULT_POLL_MS,
  LiveConnection,
  PROBE_MS,
  RATE_RETRY_MS,
  SILENCE_MS,
  type LiveMessage,
} from "../src/common/live.js";
import { FakeWebSocket } from "./fakes.js";

const BASE = "https://stats.example.org";

const made: LiveConnection[] = [];

function connection(poll: (channel: string) => Promise<unknown> = () => Promise.resolve({})): LiveConnection {
  const live = new LiveConnection(BASE, { name: "api_key", value: "client:se cret&x" }, { WebSocket: FakeWebSocket, poll, random: () => 0.5 });
  made.push(live);
  return live;
}

function collect(live: LiveConnection, channel: string): LiveMessage[] {
  const got: LiveMessage[] = [];
  live.subscribe(channel, (m) => got.push(m));
  return got;
}

const msg = (channel: string, seq: number, kind: string, body: unknown = {}, epoch = "e1") => ({ channel, epoch, seq, kind, ts: 1, body });

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});

afterEach(() => {
  for (const live of made.splice(0)) live.stop();
  vi.useRealTimers();
});

describe("LiveConnection", () => {
  it("connects on the first channel with the credential URL-encoded, and subscribes every channel when open", () => {
    const live = connection();
    collect(live, "match:123");
    collect(live, "stage:7");
    expect(FakeWebSocket.instances).toHaveLength(1);
    const ws = FakeWebSocket.last();
    const url = new URL(ws.url);
    expect(url.protocol).toBe("wss:");
    expect(url.pathname).toBe("/v1/live");
    expect(url.searchParams.get("api_key")).toBe("client:se cret&x");
    expect(ws.url).not.toContain("se cret&x");
    expect(live.state).toBe("connecting");
    ws.open();
    expect(live.state).toBe("open");
    expect(ws.sent).toEqual([{ op: "subscribe", channels: ["match:123", "stage:7"] }]);
    collect(live, "season:3:leaders");
    expect(ws.sent.at(-1)).toEqual({ op: "subscribe", channels: ["season:3:leaders"] });
  });

  it("uses ?token= for a token and ws: for an http base", () => {
    const live = new LiveConnection("http://localhost:8000", { name: "token", value: "t" }, {
      WebSocket: FakeWebSocket,
      poll: () => Promise.resolve(null),
    });
    made.push(live);
    live.subscribe("org", () => undefined);
    expect(FakeWebSocket.last().url).toBe("ws://localhost:8000/v1/live?token=t");
    const under = new LiveConnection("https://example.org/stats/", null, { WebSocket: FakeWebSocket, poll: () => Promise.resolve(null) });
    made.push(under);
    under.subscribe("org", () => undefined);
    expect(FakeWebSocket.last().url).toBe("wss://example.org/stats/v1/live");
  });

  it("splits a frame into its lines and delivers each to its channel's listeners only", () => {
    const live = connection();
    const match = collect(live, "match:1");
    const stage = collect(live, "stage:7");
    const ws = FakeWebSocket.last();
    ws.open();
    ws.frame(msg("match:1", 4, "state", { id: 1 }), msg("stage:7", 9, "state", { standings: [] }), msg("match:1", 5, "goal_scored", { home_score: 1 }), { kind: "ping" });
    expect(match.map((m) => [m.kind, m.seq])).toEqual([
      ["state", 4],
      ["goal_scored", 5],
    ]);
    expect(stage.map((m) => m.kind)).toEqual(["state"]);
    expect(live.position("match:1")).toEqual({ epoch: "e1", seq: 5 });
  });

  it("drops a message already seen (same epoch, seq not above the last)", () => {
    const live = connection();
    const got = collect(live, "match:1");
    const ws = FakeWebSocket.last();
    ws.open();
    ws.frame(msg("match:1", 10, "state"), msg("match:1", 10, "goal_scored"), msg("match:1", 11, "goal_scored"), msg("match:1", 11, "goal_scored"));
    expect(got.map((m) => m.seq)).toEqual([10, 11]);
  });

  it("reconnects after a drop with backoff and resumes every channel with since", () => {
    const live = connection();
    const got = collect(live, "match:1");
    collect(live, "stage:7");
    const first = FakeWebSocket.last();
    first.open();
    first.frame(msg("match:1", 3, "state", {}, "E"), msg("match:1", 4, "goal_scored", {}, "E"), msg("stage:7", 8, "state", {}, "S"));
    first.drop(1006);
    expect(live.state).toBe("connecting");
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    expect(FakeWebSocket.instances).toHaveLength(2);
    const second = FakeWebSocket.last();
    second.open();
    expect(second.sent).toEqual([
      { op: "subscribe", channels: ["match:1", "stage:7"], since: { "match:1": { epoch: "E", seq: 4 }, "stage:7": { epoch: "S", seq: 8 } } },
    ]);
    // the server replays what was missed
    second.frame({ channel: "match:1", epoch: "E", seq: 4, kind: "recovered", recovered: true }, msg("match:1", 5, "card_shown", {}, "E"));
    expect(got.map((m) => m.kind)).toEqual(["state", "goal_scored", "recovered", "card_shown"]);
    expect(live.position("match:1")).toEqual({ epoch: "E", seq: 5 });
  });

  it("takes a new state (new epoch) after a resume the server could not replay", () => {
    const live = connection();
    const got = collect(live, "match:1");
    let ws = FakeWebSocket.last();
    ws.open();
    ws.frame(msg("match:1", 30, "state", { v: 1 }, "old"));
    ws.drop(1001);
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    ws = FakeWebSocket.last();
    ws.open();
    ws.frame(msg("match:1", 2, "state", { v: 2 }, "new"), msg("match:1", 3, "goal_scored", {}, "new"));
    expect(got.map((m) => [m.kind, m.epoch, m.seq])).toEqual([
      ["state", "old", 30],
      ["state", "new", 2],
      ["goal_scored", "new", 3],
    ]);
  });

  it("doubles the backoff up to 10 s, with jitter, and starts again from 0.5 s after a message", () => {
    const delays: number[] = [];
    const spy = vi.spyOn(globalThis, "setTimeout");
    const live = new LiveConnection(BASE, null, { WebSocket: FakeWebSocket, poll: () => Promise.resolve(null), random: () => 1 });
    made.push(live);
    live.subscribe("match:1", () => undefined);
    for (let i = 0; i < 8; i++) {
      const ws = FakeWebSocket.last();
      ws.open(); // opened, so no polling fallback
      ws.drop(1006);
      const call = spy.mock.calls.filter((c) => c[1] !== SILENCE_MS).at(-1);
      delays.push(Number(call?.[1]));
      vi.advanceTimersByTime(Number(call?.[1]));
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
    FakeWebSocket.last().open();
    FakeWebSocket.last().frame(msg("match:1", 1, "state"));
    FakeWebSocket.last().drop(1006);
    expect(spy.mock.calls.filter((c) => c[1] !== SILENCE_MS).at(-1)?.[1]).toBe(500);
    spy.mockRestore();
  });

  it("tries at once when the browser is back online", () => {
    const live = connection();
    collect(live, "match:1");
    FakeWebSocket.last().open();
    FakeWebSocket.last().drop(1006);
    expect(FakeWebSocket.instances).toHaveLength(1);
    globalThis.dispatchEvent(new Event("online"));
    expect(FakeWebSocket.instances).toHaveLength(2);
    globalThis.dispatchEvent(new Event("online")); // connecting already: nothing more
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it("does not retry after 4401 and tells every listener, even later ones", () => {
    const live = connection();
    const got = collect(live, "match:1");
    const ws = FakeWebSocket.last();
    ws.open(); // the server accepts, then refuses the credential
    ws.drop(4401, "unknown API key");
    expect(live.state).toBe("closed");
    expect(got).toEqual([expect.objectContaining({ kind: "error", code: "unauthorized", channel: "match:1" })]);
    vi.advanceTimersByTime(10 * PROBE_MS);
    expect(FakeWebSocket.instances).toHaveLength(1);
    const late = collect(live, "stage:7");
    expect(late).toEqual([expect.objectContaining({ kind: "error", code: "unauthorized", channel: "stage:7" })]);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("passes a channel's error to that channel only", () => {
    const live = connection();
    const match = collect(live, "match:1");
    const stage = collect(live, "stage:99");
    FakeWebSocket.last().open();
    FakeWebSocket.last().frame({ kind: "error", code: "not_found", message: "no such stage", channel: "stage:99" });
    expect(match).toEqual([]);
    expect(stage).toEqual([expect.objectContaining({ kind: "error", code: "not_found" })]);
  });

  it("polls over REST after 3 attempts that never opened, and keeps trying the WebSocket every minute", async () => {
    const bodies: Record<string, unknown> = { "match:1": { id: 1, home_score: 0 } };
    const polled: string[] = [];
    const live = connection((channel) => {
      polled.push(channel);
      return Promise.resolve(bodies[channel]);
    });
    const got = collect(live, "match:1");
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last().drop(1006); // blocked: closes without ever opening
      vi.advanceTimersByTime(i < 2 ? BACKOFF_MAX_MS : 0);
    }
    expect(live.state).toBe("polling");
    expect(FakeWebSocket.instances).toHaveLength(3);
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(got[0]).toMatchObject({ channel: "match:1", kind: "state", body: { id: 1, home_score: 0 } });
    // unchanged: not delivered again; changed: delivered
    await vi.advanceTimersByTimeAsync(DEFAULT_POLL_MS);
    expect(polled).toHaveLength(2);
    expect(got).toHaveLength(1);
    bodies["match:1"] = { id: 1, home_score: 1 };
    await vi.advanceTimersByTimeAsync(DEFAULT_POLL_MS);
    expect(got.at(-1)).toMatchObject({ kind: "state", body: { home_score: 1 } });
    // the background attempt, a minute after polling started
    await vi.advanceTimersByTimeAsync(PROBE_MS - 2 * DEFAULT_POLL_MS);
    expect(FakeWebSocket.instances).toHaveLength(4);
    expect(live.state).toBe("polling");
    FakeWebSocket.last().open();
    expect(live.state).toBe("open");
    expect(FakeWebSocket.last().sent).toEqual([{ op: "subscribe", channels: ["match:1"] }]);
    const before = polled.length;
    await vi.advanceTimersByTimeAsync(3 * DEFAULT_POLL_MS);
    expect(polled).toHaveLength(before);
  });

  it("polls at the smallest interval a subscriber asked for", async () => {
    const polled: string[] = [];
    const live = connection((channel) => {
      polled.push(channel);
      return Promise.resolve({});
    });
    live.subscribe("match:1", () => undefined, 5_000);
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last().drop(1006);
      vi.advanceTimersByTime(i < 2 ? BACKOFF_MAX_MS : 0);
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(polled).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(polled).toHaveLength(2);
  });

  it("waits at least 5 s after a 4429, and switches to polling after repeated ones", () => {
    const live = connection();
    collect(live, "match:1");
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last().open();
      FakeWebSocket.last().drop(4429, "rate");
      if (i < 2) {
        expect(live.state).toBe("connecting");
        vi.advanceTimersByTime(RATE_RETRY_MS - 1);
        expect(FakeWebSocket.instances).toHaveLength(i + 1);
        vi.advanceTimersByTime(1);
        expect(FakeWebSocket.instances).toHaveLength(i + 2);
      }
    }
    expect(live.state).toBe("polling");
  });

  it("treats a silent socket as dropped", () => {
    const live = connection();
    collect(live, "match:1");
    const ws = FakeWebSocket.last();
    ws.open();
    vi.advanceTimersByTime(SILENCE_MS - 1000);
    ws.frame({ kind: "ping" });
    vi.advanceTimersByTime(SILENCE_MS - 1000);
    expect(ws.closedWith).toBeNull();
    vi.advanceTimersByTime(1000);
    expect(ws.closedWith).toBe(4000);
    expect(live.state).toBe("connecting");
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it("unsubscribes a channel its last listener left, and closes when none is left", () => {
    const live = connection();
    const stopA = live.subscribe("match:1", () => undefined);
    const stopB = live.subscribe("match:1", () => undefined);
    const stopStage = live.subscribe("stage:7", () => undefined);
    const ws = FakeWebSocket.last();
    ws.open();
    stopA();
    expect(ws.sent).toHaveLength(1);
    stopB();
    expect(ws.sent.at(-1)).toEqual({ op: "unsubscribe", channels: ["match:1"] });
    expect(live.channels).toEqual(["stage:7"]);
    stopStage();
    expect(ws.closedWith).toBe(1000);
    expect(live.state).toBe("idle");
  });

  it("polls a channel the server refused as one too many, and asks for it again when there is room", async () => {
    const polled: string[] = [];
    const live = connection((channel) => {
      polled.push(channel);
      return Promise.resolve({ channel });
    });
    const stopA = live.subscribe("match:1", () => undefined);
    const b = collect(live, "match:2");
    const ws = FakeWebSocket.last();
    ws.open();
    ws.frame(msg("match:1", 1, "state"), { kind: "error", code: "too_many_channels", message: "50 at most", channel: "match:2" });
    expect(live.state).toBe("open");
    await vi.advanceTimersByTimeAsync(0);
    expect(polled).toEqual(["match:2"]);
    expect(b).toEqual([expect.objectContaining({ kind: "state", body: { channel: "match:2" } })]);
    expect(live.describe().polled).toEqual(["match:2"]);
    await vi.advanceTimersByTimeAsync(DEFAULT_POLL_MS);
    expect(polled).toEqual(["match:2", "match:2"]);
    // match:1 let go: room for match:2 on the socket, and no more polling
    stopA();
    expect(ws.sent.slice(-2)).toEqual([
      { op: "unsubscribe", channels: ["match:1"] },
      { op: "subscribe", channels: ["match:2"] },
    ]);
    expect(live.describe().polled).toEqual([]);
    ws.frame(msg("match:2", 1, "state", { live: true }));
    expect(b.at(-1)).toMatchObject({ kind: "state", seq: 1, body: { live: true } });
    await vi.advanceTimersByTimeAsync(3 * DEFAULT_POLL_MS);
    expect(polled).toHaveLength(2);
  });
});
