"""The live feed's configuration section (``RSTAT__LIVE__*``), composed by ``rstat.settings``."""

from __future__ import annotations

import msgspec

__all__ = ["LiveConfig"]


class LiveConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The live feed every public app process serves (``/v1/live``, ``/v1/live/sse``).

    Each process reads the topics itself (no consumer group: every process sees everything), keeps each
    channel's recent history and fans out to its own connections.
    """

    #: Serve the live routes and consume the topics; false: the public app is REST only.
    enabled: bool = True
    #: Seconds between two heartbeats (``{"kind": "ping"}``) on every connection.
    heartbeat_s: float = 15.0
    #: Messages kept per channel for resuming clients (``since`` / ``Last-Event-ID``).
    history_size: int = 500
    #: Seconds a message stays resumable; older ones are dropped, and a client behind them gets the state.
    history_ttl_s: float = 600.0
    #: How far back a starting process reads the topics to fill its channels' history.
    backfill_s: float = 600.0
    #: Channels one connection may hold at once.
    max_channels: int = 50
    #: Messages queued for one connection before it is closed as too slow (4008).
    queue_size: int = 5000
    #: A send to one connection that has not completed in this many seconds closes it as too slow (4008).
    send_timeout_s: float = 10.0
    #: Largest client message, in bytes (bigger ones get an error; far bigger ones close the socket: 1009).
    max_frame_bytes: int = 4096
    #: Seconds a WebSocket client has to authenticate when its URL and headers carry no credential.
    auth_timeout_s: float = 10.0
    #: Seconds a channel's state, once read, answers the next subscribers while the channel has not moved
    #: (0: read it for every subscriber). Thousands of clients reconnect at once after a restart.
    state_cache_s: float = 1.0
    #: Leaders are re-read from the materialized statistics at most this often per season.
    leaders_refresh_s: float = 0.5
    #: Rows per leaderboard in ``season:{id}:leaders`` messages.
    leaders_limit: int = 20
    #: Channels (with their history) one process keeps; the least recently used idle ones go first.
    max_channels_kept: int = 100_000
    #: Offer per-message deflate to WebSocket clients. Off by default: each message would be compressed once
    #: per connection (a fan-out of thousands), and the messages are small; browsers ask for it otherwise.
    compression: bool = False
    #: Seconds between two ``gc.freeze()`` (0: never). A process holding thousands of connections has
    #: millions of long-lived objects, and CPython's full collections scanned them all, pausing the fan-out
    #: 100-190 ms (measured under ``rstat bench live``); frozen objects are left out of those scans.
    gc_freeze_s: float = 10.0
    #: Seconds between two full collections of everything, frozen objects included (cyclic garbage of
    #: closed connections that was frozen is freed then): one pause of that length at a known rhythm.
    gc_full_s: float = 600.0
    #: Networks (comma-separated CIDRs) whose callers may read ``/metrics``; everyone else gets 404.
    metrics_from: str = "127.0.0.1/32,::1/128"
