"""Messages per notice kind and sport, in English and Russian: every value escaped for Telegram HTML (the
fake Bot API's parser, which refuses what Telegram refuses, reads them), at most 4,096 characters."""

# Russian text and typographic dashes are what the messages show:
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify.config import ANNOUNCED_KINDS
from notify.fake_telegram import html_refusal
from notify.notice import Context, Notice
from notify.templates import MAX_CHARS, render, utf16_len

FOOTBALL = Context(
    org_id=1,
    competition_id=2,
    competition="Premier League",
    sport="football",
    home="Arsenal",
    away="Chelsea",
    team="Arsenal",
    player="Bukayo Saka",
)
HOCKEY = Context(
    org_id=1,
    competition_id=3,
    competition="NHL",
    sport="ice-hockey",
    home="Boston Bruins",
    away="Toronto Maple Leafs",
    team="Boston Bruins",
    player="David Pastrnak",
)


def goal(**extra: object) -> Notice:
    fields = {
        "id": "goal_scored:1",
        "kind": "goal_scored",
        "match_id": 9,
        "home_score": 2,
        "away_score": 1,
        "minute": 67,
        "period": 2,
        "team_id": 1,
        "player_id": 5,
        **extra,
    }
    return Notice(**fields)  # type: ignore[arg-type]


def test_a_football_goal_shows_the_score_minute_and_scorer() -> None:
    assert (
        render(goal(), FOOTBALL, "en") == "<i>Premier League</i>\n⚽ <b>Arsenal 2–1 Chelsea</b>\nGoal! 67' Bukayo Saka"
    )
    assert render(goal(), FOOTBALL, "ru").endswith("Гол! 67' Bukayo Saka")


def test_a_hockey_goal_names_the_period() -> None:
    text = render(goal(minute=None, period=3), HOCKEY, "en")
    assert "🏒 <b>Boston Bruins 2–1 Toronto Maple Leafs</b>" in text
    assert "P3 David Pastrnak" in text


def test_period_words_follow_the_sport() -> None:
    half = Notice(id="p:1", kind="period_ended", match_id=9, period=1)
    assert "Half-time" in render(half, FOOTBALL, "en")
    assert "End of period 1" in render(half, HOCKEY, "en")
    assert "Серия буллитов" in render(Notice(id="s:1", kind="shootout_started", match_id=9), HOCKEY, "ru")


def test_russian_suspensions_use_the_right_plural() -> None:
    for n, word in ((1, "матч"), (2, "матча"), (5, "матчей"), (21, "матч"), (11, "матчей")):
        notice = Notice(id=f"s:{n}", kind="player_suspended", season_id=1, player_id=5, matches=n, reason="red")
        assert f"на {n} {word}:" in render(notice, FOOTBALL, "ru")


HOSTILE = Context(
    org_id=1,
    competition_id=2,
    competition="<script>alert(1)</script>",
    sport="football",
    home="<b>Reds</b> & Co",
    away="Tom & Jerry's </i>",
    team="<b>Reds</b> & Co",
    player="A&amp;B <3",
)


@pytest.mark.parametrize("kind", ANNOUNCED_KINDS)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_kind_escapes_hostile_names_as_telegram_reads_them(kind: str, language: str) -> None:
    notice = Notice(
        id=f"{kind}:1",
        kind=kind,
        match_id=9,
        stage_id=1,
        season_id=1,
        home_score=1,
        away_score=0,
        minute=10,
        period=1,
        team_id=1,
        player_id=2,
        matches=1,
        reason="<i>foul</i> & more",
        status="postponed",
        group="Group <A>",
    )
    text = render(notice, HOSTILE, language)
    assert html_refusal(text) == ""
    assert "&lt;b&gt;Reds&lt;/b&gt; &amp; Co" in text
    assert "<script>" not in text


def test_a_final_message_that_absorbed_many_notices_stays_within_the_limit() -> None:
    final = Notice(id="f:9", kind="match_finished", match_id=9, home_score=60, away_score=60)
    merged = [(goal(id=f"goal_scored:{n}", home_score=n, minute=n % 120), FOOTBALL) for n in range(400)]
    text = render(final, FOOTBALL, "en", merged)
    assert utf16_len(text) <= MAX_CHARS
    assert html_refusal(text) == ""
    assert "… and" in text
    assert "Full time" in text


@given(st.text(max_size=300), st.text(max_size=300))
def test_any_names_make_a_message_telegram_accepts(home: str, player: str) -> None:
    context = Context(
        org_id=1,
        competition_id=1,
        competition="C",
        sport="football",
        home=home or "x",
        away="B",
        team="B",
        player=player,
    )
    text = render(goal(), context, "en")
    assert utf16_len(text) <= MAX_CHARS
    assert html_refusal(text) == ""
