"""The scheduler drains a burst at Telegram's limits (checked from the times it let sends go, with the same
counter the fake Bot API uses), most urgent first, one match in order per chat, a 429 pausing one chat."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from notify.fake_telegram import limit_violations
from notify.limiter import Limits
from notify.scheduler import Entry, Scheduler

LIMITS = Limits(global_per_s=30, chat_interval_s=1.0, group_per_min=20, margin_s=1e-6)  # exact, but for float error
_seq = itertools.count(1)


def entry(chat: int, kind: str = "goal_scored", match: int = 1, priority: int = 0, bot: str = "shared") -> Entry:
    seq = next(_seq)
    return Entry(seq, f"{kind}:{seq}", bot, chat, priority, f"match:{match}", kind)


def drain(s: Scheduler, now: float = 0.0, latency: float = 0.0, depart: float = 0.0) -> list[tuple[float, Entry]]:
    """Run the scheduler on a simulated clock until it is empty: a request leaves ``depart`` after it was
    taken (its row written, its text rendered), its answer comes ``latency`` after that."""
    sent: list[tuple[float, Entry]] = []
    in_flight: list[tuple[float, Entry]] = []
    for n in range(1_000_000):
        got = s.take(now)
        if isinstance(got, Entry):
            leaves = now + depart * (n % 3) / 2  # some leave at once, some later
            s.retime(got, leaves)
            sent.append((leaves, got))
            in_flight.append((leaves + latency, got))
            in_flight.sort(key=lambda f: f[0])
            continue
        if in_flight and (got is None or in_flight[0][0] <= got):
            now = max(now, in_flight[0][0])
            s.done(in_flight.pop(0)[1], now)
            continue
        if got is None:
            return sent
        now = got
    raise AssertionError("the scheduler never emptied")


def test_a_burst_is_drained_at_the_global_limit_and_no_faster() -> None:
    s = Scheduler(LIMITS, capacity=10_000)
    for chat in range(300):
        s.add(entry(chat), 0.0)
    sent = drain(s)
    assert len(sent) == 300
    assert limit_violations([(e.chat_id, t) for t, e in sent]) == {"chat": 0, "global": 0, "group": 0}
    assert sent[-1][0] < 10.0 + 0.001  # 300 messages at 30/s: ten seconds, not more


def test_one_chat_gets_one_message_per_second_in_the_order_of_its_match() -> None:
    s = Scheduler(LIMITS, capacity=100)
    goals = [entry(7) for _ in range(5)]
    for e in goals:
        s.add(e, 0.0)
    sent = drain(s)
    assert [e for _t, e in sent] == goals
    assert [round(t, 3) for t, _e in sent] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_a_group_gets_twenty_a_minute() -> None:
    s = Scheduler(LIMITS, capacity=100)
    for _ in range(25):
        s.add(entry(-100), 0.0)
    sent = drain(s)
    assert [round(t, 3) for t, _e in sent][19:21] == [19.0, 60.0]
    assert limit_violations([(e.chat_id, t) for t, e in sent])["group"] == 0


def test_a_goal_goes_before_a_leader_change_waiting_longer() -> None:
    s = Scheduler(LIMITS, capacity=100)
    leader = entry(1, "leader_changed", match=0, priority=3)
    goal = entry(2, "goal_scored", priority=0)
    s.add(leader, 0.0)
    s.add(goal, 0.0)
    assert s.take(0.0) is goal


def test_a_429_pauses_only_its_chat() -> None:
    s = Scheduler(LIMITS, capacity=100)
    first, other = entry(1), entry(2)
    s.add(first, 0.0)
    s.add(other, 0.0)
    assert s.take(0.0) is first
    s.done(first, 0.1, again=True, pause_until=5.1)  # Telegram: retry_after 5
    assert s.take(0.1) is other
    s.done(other, 0.2)
    assert s.take(0.2) == 5.1
    assert s.take(5.1) is first


def test_a_chats_next_message_waits_for_the_answer_to_its_last() -> None:
    s = Scheduler(LIMITS, capacity=100)
    a, b = entry(1), entry(1)
    s.add(a, 0.0)
    s.add(b, 0.0)
    assert s.take(0.0) is a
    assert s.take(3.0) is None  # a is in flight: nothing else for that chat
    s.done(a, 3.0)
    assert s.take(3.0) is b


def test_what_waited_when_the_match_finished_is_coalesced_into_the_final_message() -> None:
    s = Scheduler(LIMITS, capacity=100)
    g1, g2, g3 = entry(1), entry(1), entry(1)
    final = entry(1, "match_finished")
    for e in (g1, g2, g3):
        s.add(e, 0.0)
    assert s.take(0.0) is g1
    s.add(final, 0.5)
    s.done(g1, 0.5)
    got = s.take(1.1)
    assert got is final
    assert final.merged == [g2, g3]
    s.done(final, 1.1)
    assert len(s) == 0


def test_memory_is_bounded_and_a_delivery_is_held_once() -> None:
    s = Scheduler(LIMITS, capacity=3)
    e = entry(1)
    assert s.add(e, 0.0)
    assert not s.add(e, 0.0)
    s.add(entry(2), 0.0)
    s.add(entry(3), 0.0)
    assert s.room() == 0


def test_dropping_a_chat_returns_what_it_still_had_queued() -> None:
    s = Scheduler(LIMITS, capacity=10)
    a, b, c = entry(1), entry(1), entry(2)
    for e in (a, b, c):
        s.add(e, 0.0)
    assert s.take(0.0) is a
    assert s.drop_chat("shared", 1) == [b]
    s.done(a, 0.1)
    assert [e for _t, e in drain(s, 0.1)] == [c]
    assert len(s) == 0


def test_bots_have_limits_of_their_own() -> None:
    s = Scheduler(LIMITS, capacity=1000)
    for chat in range(60):
        s.add(entry(chat, bot="shared"), 0.0)
        s.add(entry(chat, bot="org:1"), 0.0)
    sent = drain(s)
    assert sum(1 for t, _e in sent if t < 1.0) == 60  # 30 a second each


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-3, 12), st.integers(0, 3), st.sampled_from(["goal_scored", "leader_changed"])),
        min_size=1,
        max_size=120,
    ),
    st.floats(0.0, 0.3),
    st.floats(0.0, 0.2),
)
def test_any_burst_keeps_every_limit_and_each_matchs_order(
    burst: list[tuple[int, int, str]], latency: float, depart: float
) -> None:
    s = Scheduler(Limits(global_per_s=10, chat_interval_s=1.0, group_per_min=5, margin_s=1e-6), capacity=1000)
    added = [entry(chat, kind, match) for chat, match, kind in burst]
    for e in added:
        s.add(e, 0.0)
    sent = drain(s, latency=latency, depart=depart)
    assert sorted(e.seq for _t, e in sent) == sorted(e.seq for e in added)
    found = limit_violations([(e.chat_id, t) for t, e in sent], global_per_s=10, group_per_min=5)
    assert found == {"chat": 0, "global": 0, "group": 0}
    for chat in {e.chat_id for e in added}:
        for match in {e.queue_key for e in added}:
            order = [e.seq for _t, e in sent if e.chat_id == chat and e.queue_key == match]
            assert order == sorted(order)
