"""The acknowledgement tracker: a position is confirmed to PostgreSQL only when Kafka has acknowledged every
message before it, and nothing ahead of an unacknowledged message is confirmed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cdc.acks import AckTracker, TxAcks
from cdc.metrics import CdcMetrics


def committed(tracker: AckTracker, messages: int, end_lsn: int) -> TxAcks:
    """A transaction of ``messages`` produced messages, committed at ``end_lsn``."""
    tx = tracker.begin(0)
    for _ in range(messages):
        tracker.sent(tx)
    tracker.commit(tx, end_lsn)
    return tx


def ack(tx: TxAcks, count: int = 1) -> None:
    for _ in range(count):
        tx.delivered(None, None)


def test_a_transaction_is_confirmed_once_all_of_its_messages_are_acknowledged() -> None:
    tracker = AckTracker(CdcMetrics())
    tx = committed(tracker, 3, 100)
    ack(tx, 2)
    assert tracker.advance() == 0
    ack(tx)
    assert tracker.advance() == 100
    assert tracker.idle


def test_nothing_ahead_of_an_unacknowledged_message_is_confirmed() -> None:
    tracker = AckTracker(CdcMetrics())
    first, second, third = committed(tracker, 1, 100), committed(tracker, 2, 200), committed(tracker, 1, 300)
    ack(first)
    ack(third)  # Kafka acknowledges across partitions in any order
    ack(second, 1)
    assert tracker.advance() == 100
    ack(second)
    assert tracker.advance() == 300
    assert tracker.in_flight == 0


def test_a_refused_message_stays_unacknowledged_and_holds_the_position() -> None:
    tracker = AckTracker(CdcMetrics())
    first, second = committed(tracker, 1, 100), committed(tracker, 1, 200)
    first.delivered("MSG_SIZE_TOO_LARGE", None)
    ack(second)
    assert tracker.advance() == 0
    assert tracker.error == "MSG_SIZE_TOO_LARGE"
    assert tracker.in_flight == 1


def test_an_uncommitted_transaction_is_not_confirmed_even_when_acknowledged() -> None:
    tracker = AckTracker(CdcMetrics())
    committed(tracker, 0, 100)
    open_tx = tracker.begin(0)
    tracker.sent(open_tx)
    ack(open_tx)
    assert tracker.advance() == 100
    tracker.commit(open_tx, 200)
    assert tracker.advance() == 200


@given(
    st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=8).flatmap(
        lambda sizes: st.tuples(
            st.just(sizes),
            st.permutations([(tx, n) for tx, size in enumerate(sizes) for n in range(size)]).flatmap(
                lambda order: st.tuples(st.just(order), st.integers(min_value=0, max_value=len(order)))
            ),
        )
    )
)
def test_the_confirmed_position_is_the_end_of_the_longest_fully_acknowledged_prefix(
    case: tuple[list[int], tuple[list[tuple[int, int]], int]],
) -> None:
    sizes, (order, acked) = case
    tracker = AckTracker(CdcMetrics())
    txs = [committed(tracker, size, 100 * (n + 1)) for n, size in enumerate(sizes)]
    done = [0] * len(sizes)
    for tx, _ in order[:acked]:
        ack(txs[tx])
        done[tx] += 1
    prefix = 0
    while prefix < len(sizes) and done[prefix] == sizes[prefix]:
        prefix += 1
    assert tracker.advance() == 100 * prefix
