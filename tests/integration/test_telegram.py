"""``rstat telegram`` on the real stack against the fake Bot API: the conversation, a goal committed in
PostgreSQL reaching a follower through the CDC reader, the stream worker and the sender, limits under a
burst (from the fake's records), 429, 5xx and 403, hostile names, and isolation between organizations.

One chain (reader, worker, sender) serves the module; each test has organizations and chats of its own."""

# typographic dashes are what the messages show:
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from notify.fake_telegram import FakeTelegram, Reply, limit_violations
from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.cdc_support import CdcEnv, drop_env, make_env, start_streams
from tests.integration.telegram_support import (
    SHARED_TOKEN,
    League,
    Sender,
    add_match,
    build_league,
    goal,
    org_bot_token,
    produce_notices,
    replies,
    sender_env,
    wait_reply,
)
from tests.waiting import eventually

_chats = itertools.count(7_000_001)
_ids = itertools.count(1)


class Rig:
    def __init__(self, chain: CdcEnv, fake: FakeTelegram, sender: Sender) -> None:
        self.chain, self.fake, self.sender = chain, fake, sender
        self.conn = psycopg.connect(chain.dsn, autocommit=True)

    def league(self, teams: list[str], *, shared_bot: bool = True) -> League:
        return build_league(self.conn, unique("org").replace("_", "-"), teams, shared_bot=shared_bot)

    def chat(self, token: str = SHARED_TOKEN, *, language: str = "en") -> int:
        """A chat that said /start to the bot of ``token``."""
        chat = next(_chats)
        self.fake.say(token, chat, "/start", language=language)
        wait_reply(self.fake, chat, "/follow", token)
        return chat

    def follow(self, chat: int, team: int, org: int, bot: str = "shared") -> None:
        """A subscription written straight into the table (the conversation has its own test)."""
        self.conn.execute(
            "INSERT INTO telegram_chats (bot, chat_id) VALUES (%s, %s) ON CONFLICT DO NOTHING", (bot, chat)
        )
        self.conn.execute(
            "INSERT INTO telegram_subscriptions (org_id, bot, chat_id, team_id) VALUES (%s, %s, %s, %s)",
            (org, bot, chat, team),
        )

    def notices(self, *notices: dict[str, Any]) -> None:
        produce_notices(
            self.chain.settings.kafka.bootstrap(), self.chain.env["RSTAT__STREAMS__NOTICES_TOPIC"], list(notices)
        )

    def goal_notice(
        self, league: League, match: int, home: str, away: str, score: tuple[int, int], minute: int
    ) -> dict[str, Any]:
        return {
            "id": f"goal_scored:t{next(_ids)}",
            "kind": "goal_scored",
            "stage_id": league.stage,
            "match_id": match,
            "home_team_id": league.teams[home],
            "away_team_id": league.teams[away],
            "team_id": league.teams[home],
            "home_score": score[0],
            "away_score": score[1],
            "minute": minute,
            "period": 1,
        }


@pytest.fixture(scope="module")
def rig(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("telegram")
    chain = make_env(stack, tmp)
    chain.env.update(
        {
            "RSTAT__STREAMS__APP_ID": unique("streams"),
            "RSTAT__STREAMS__NOTICES_TOPIC": f"{chain.prefix}notices",
            **{  # not <prefix><name>: the CDC reader's topic of the teams table is <prefix>teams
                f"RSTAT__STREAMS__{name.upper()}_TOPIC": f"{chain.prefix}stats.{name}"
                for name in ("standings", "teams", "live_standings", "players")
            },
            "RSTAT__STREAMS__DATA_DIR": str(tmp / "streams"),
        }
    )
    with FakeTelegram() as fake:
        try:
            chain.start()
            chain.wait_streaming()
            start_streams(chain, tmp / "streams.log")
            env = sender_env(chain.name, chain.env["RSTAT__STREAMS__NOTICES_TOPIC"], fake)
            sender = Sender(env, Path(tmp / "telegram.log"))
            sender.start()
            assert sender.proc is not None
            chain.procs.append(sender.proc)
            rig = Rig(chain, fake, sender)
            yield rig
            rig.conn.close()
        finally:
            drop_env(chain)


def test_the_command_conversation(rig: Rig) -> None:
    league = rig.league(["Lions", "Lions Reserves", "Tigers"])
    add_match(rig.conn, league, "Lions", "Tigers")
    fake, chat = rig.fake, rig.chat()
    seen = len(replies(fake, chat))
    fake.say(SHARED_TOKEN, chat, "/follow lions")
    choice = wait_reply(fake, chat, "Pick one", after=seen)
    assert "1. Lions (team)" in choice
    assert "Lions Reserves (team)" in choice
    assert "Lions – Tigers" in choice  # the next match of the team found
    assert fake.sent[-1].reply_markup["inline_keyboard"][0][0]["callback_data"].startswith("f:")
    seen = len(replies(fake, chat))
    fake.say(SHARED_TOKEN, chat, "1")
    wait_reply(fake, chat, "Following <b>Lions</b>", after=seen)
    fake.say(SHARED_TOKEN, chat, "/follow")
    wait_reply(fake, chat, "Which team or competition?")
    fake.say(SHARED_TOKEN, chat, "Tigers")
    wait_reply(fake, chat, "Following <b>Tigers</b>")
    fake.say(SHARED_TOKEN, chat, "/list")
    listing = wait_reply(fake, chat, "You follow:")
    assert listing.splitlines()[1:] == ["1. Lions (team)", "2. Tigers (team)"]
    fake.say(SHARED_TOKEN, chat, "/lang ru")
    wait_reply(fake, chat, "Язык: русский.")
    fake.say(SHARED_TOKEN, chat, "/unfollow 2")
    wait_reply(fake, chat, "Вы больше не следите: <b>Tigers</b>")
    fake.say(SHARED_TOKEN, chat, "/stop")
    wait_reply(fake, chat, "Чат забыт")
    assert rig.conn.execute("SELECT count(*) FROM telegram_chats WHERE chat_id = %s", (chat,)).fetchone() == (0,)
    assert rig.conn.execute("SELECT count(*) FROM telegram_subscriptions WHERE chat_id = %s", (chat,)).fetchone() == (
        0,
    )


def test_a_goal_committed_in_postgres_reaches_a_follower_in_order(rig: Rig) -> None:
    league = rig.league(["Reds <b>&</b> Co", "Blues"])
    match = add_match(rig.conn, league, "Reds <b>&</b> Co", "Blues")
    chat = rig.chat()
    rig.fake.say(SHARED_TOKEN, chat, "/follow reds <b>&</b> co")
    wait_reply(rig.fake, chat, "Following <b>Reds &lt;b&gt;&amp;&lt;/b&gt; Co</b>")
    reds, blues = league.teams["Reds <b>&</b> Co"], league.teams["Blues"]
    steps: list[tuple[Callable[[], object], str]] = [
        (lambda: rig.conn.execute("UPDATE matches SET status = 'live' WHERE id = %s", (match,)), "Kick-off"),
        (lambda: goal(rig.conn, match, reds, 12, league.player), "Goal! 12' Ada Reds"),
        (lambda: goal(rig.conn, match, blues, 30), "1–1"),
        (lambda: goal(rig.conn, match, reds, 70, league.player), "2–1"),
        (
            lambda: rig.conn.execute(
                "UPDATE matches SET status = 'finished', home_score = 2, away_score = 1, decided_in = 'REG' "
                "WHERE id = %s",
                (match,),
            ),
            "Full time",
        ),
    ]
    for step, expected in steps:
        seen = len(replies(rig.fake, chat))
        step()
        wait_reply(rig.fake, chat, expected, after=seen)
    got = [m for m in replies(rig.fake, chat) if "Blues" in m]
    assert [m.splitlines()[1] for m in got] == [
        "▶️ <b>Reds &lt;b&gt;&amp;&lt;/b&gt; Co – Blues</b>",
        "⚽ <b>Reds &lt;b&gt;&amp;&lt;/b&gt; Co 1–0 Blues</b>",
        "⚽ <b>Reds &lt;b&gt;&amp;&lt;/b&gt; Co 1–1 Blues</b>",
        "⚽ <b>Reds &lt;b&gt;&amp;&lt;/b&gt; Co 2–1 Blues</b>",
        "🏁 <b>Reds &lt;b&gt;&amp;&lt;/b&gt; Co 2–1 Blues</b>",
    ]


def test_a_burst_is_sent_within_telegrams_limits_most_urgent_first(rig: Rig) -> None:
    league = rig.league(["Hawks", "Owls"])
    match = add_match(rig.conn, league, "Hawks", "Owls")
    chats = [next(_chats) for _ in range(60)]
    for chat in chats:
        rig.follow(chat, league.teams["Hawks"], league.org)
    leader = {
        "id": f"leader_changed:t{next(_ids)}",
        "kind": "leader_changed",
        "stage_id": league.stage,
        "team_id": league.teams["Hawks"],
    }
    goals = [rig.goal_notice(league, match, "Hawks", "Owls", (n, 0), 10 * n) for n in (1, 2, 3)]
    rig.notices(leader, *goals)  # the leader change first: it still goes after the goals
    eventually(lambda: all(len(replies(rig.fake, c)) == 4 for c in chats), message="240 messages to 60 chats")
    for chat in chats:
        texts = replies(rig.fake, chat)
        assert [t.splitlines()[1] for t in texts[:3]] == [f"⚽ <b>Hawks {n}–0 Owls</b>" for n in (1, 2, 3)]
        assert "now lead the table" in texts[3]
    sends = [(s.chat_id, s.mono) for s in rig.fake.sent if s.token == SHARED_TOKEN]
    assert limit_violations(sends) == {"chat": 0, "global": 0, "group": 0}  # the bot's replies included
    ours = sorted(s.mono for s in rig.fake.sent if s.chat_id in set(chats))
    assert ours[-1] - ours[0] >= (240 - 30) / 30  # drained at the overall limit, not faster


def test_429_pauses_only_its_chat_5xx_is_retried_and_403_ends_the_chats_subscriptions(rig: Rig) -> None:
    league = rig.league(["Foxes", "Bats"])
    match = add_match(rig.conn, league, "Foxes", "Bats")
    limited, calm, flaky, gone = (next(_chats) for _ in range(4))
    for chat in (limited, calm, flaky, gone):
        rig.follow(chat, league.teams["Foxes"], league.org)
    rig.fake.script(limited, Reply(429, "Too Many Requests: retry after 3", retry_after=3))
    rig.fake.script(flaky, Reply(502, "Bad Gateway"))
    rig.fake.script(gone, Reply(403, "Forbidden: bot was blocked by the user"))
    rig.notices(rig.goal_notice(league, match, "Foxes", "Bats", (1, 0), 5))
    wait_reply(rig.fake, limited, "Foxes 1–0 Bats")
    wait_reply(rig.fake, flaky, "Foxes 1–0 Bats")
    answers = {chat: [(t, code) for c, t, code in rig.fake.answers if c == chat] for chat in (limited, calm, flaky)}
    (refused_at, code), (sent_at, ok) = answers[limited]
    assert (code, ok) == (429, 200)
    assert sent_at - refused_at >= 3.0  # retry_after respected for that chat
    assert answers[calm][0][0] < refused_at + 3.0  # ... while the others went on
    assert [code for _t, code in answers[flaky]] == [502, 200]
    eventually(
        lambda: (
            rig.conn.execute("SELECT blocked_at IS NOT NULL FROM telegram_chats WHERE chat_id = %s", (gone,)).fetchone()
            == (True,)
        ),
        message="the blocked chat to be marked",
    )
    assert rig.conn.execute("SELECT count(*) FROM telegram_subscriptions WHERE chat_id = %s", (gone,)).fetchone() == (
        0,
    )
    state = rig.conn.execute("SELECT state, reason FROM telegram.deliveries WHERE chat_id = %s", (gone,)).fetchone()
    assert state == ("failed", "403: Forbidden: bot was blocked by the user")
    assert replies(rig.fake, gone) == []


def test_a_bot_serves_only_the_organizations_it_may(rig: Rig) -> None:
    open_league = rig.league(["Falcons", "Ravens"], shared_bot=True)
    own_league = rig.league(["Sharks", "Whales"], shared_bot=False)
    rig.conn.execute(
        "INSERT INTO telegram.bots (org_id, token) VALUES (%s, %s)", (own_league.org, org_bot_token(own_league.org))
    )
    own_token, own_bot = org_bot_token(own_league.org), f"org:{own_league.org}"
    shared_chat = rig.chat()
    own_chat = rig.chat(own_token)  # answered once the sender has read the new bot and polls it
    # the shared bot does not know the organization that did not consent, even by a forged button
    rig.fake.say(SHARED_TOKEN, shared_chat, "/follow Sharks")
    wait_reply(rig.fake, shared_chat, "Nothing called “Sharks”")
    rig.fake.press(SHARED_TOKEN, shared_chat, f"f:team:{own_league.teams['Sharks']}")
    wait_reply(rig.fake, shared_chat, "not available")
    rig.fake.say(SHARED_TOKEN, shared_chat, "/follow Falcons")
    wait_reply(rig.fake, shared_chat, "Following <b>Falcons</b>")
    # an organization's bot knows that organization only
    rig.fake.say(own_token, own_chat, "/follow Falcons")
    wait_reply(rig.fake, own_chat, "Nothing called “Falcons”", own_token)
    rig.fake.say(own_token, own_chat, "/follow Sharks")
    wait_reply(rig.fake, own_chat, "Following <b>Sharks</b>", own_token)
    # a subscription the shared bot should not have (consent withdrawn) hears nothing
    rig.follow(shared_chat, own_league.teams["Sharks"], own_league.org)
    own_match = add_match(rig.conn, own_league, "Sharks", "Whales")
    open_match = add_match(rig.conn, open_league, "Falcons", "Ravens")
    rig.notices(
        rig.goal_notice(own_league, own_match, "Sharks", "Whales", (1, 0), 3),
        rig.goal_notice(open_league, open_match, "Falcons", "Ravens", (1, 0), 4),
    )
    wait_reply(rig.fake, own_chat, "Sharks 1–0 Whales", own_token)
    wait_reply(rig.fake, shared_chat, "Falcons 1–0 Ravens")
    # both notices were taken in by now (one batch, in order): whom they were for is in the delivery log
    delivered = rig.conn.execute(
        "SELECT bot, chat_id, n.context->>'home' FROM telegram.deliveries d "
        "JOIN telegram.notices n ON n.id = d.notice_id WHERE chat_id IN (%s, %s) ORDER BY 3",
        (shared_chat, own_chat),
    ).fetchall()
    assert delivered == [("shared", shared_chat, "Falcons"), (own_bot, own_chat, "Sharks")]
    assert not any("Sharks 1–0" in m for m in rig.fake.messages(shared_chat))
    assert not any("Falcons 1–0" in m for m in rig.fake.messages(own_chat))
