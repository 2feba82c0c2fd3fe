"""Playing the live steps through the admin API, as a scorer would, on an accelerated clock.

Per match: the line-ups (once), kick-off (``status: live``, 0-0), each event at its minute with the running
score patched after a goal (what the scorer console does, so live standings move), the end of each
period, the final whistle (``finished`` with the final score, the decision and the score per period).
After the round, one correction: a goal taken back and given again, so the finished match's score changes
twice and ``score_corrected`` notices flow. A stop request (SIGTERM/SIGINT) is honoured between requests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from rstat.demo.client import AdminApi, StopRequestedError
from rstat.demo.plan import Step
from rstat.demo.rows import event_body
from rstat.demo.script import GOALS, Beat, MatchScript, choose_correction, period_scores, timeline
from rstat.demo.state import DemoState

__all__ = ["Player"]

log = logging.getLogger(__name__)


class Player:
    def __init__(
        self, api: AdminApi, state: DemoState, match_seconds: float, stop: threading.Event, *, editor: AdminApi
    ) -> None:
        self.api = api
        #: the owner's session: resets and corrections of finished matches are an editor's work (the API
        #: refuses a scorer's change to the events of a closed match)
        self.editor = editor
        self.state = state
        self.match_seconds = match_seconds
        self.stop = stop
        self.matches: dict[int, dict[str, Any]] = {}
        self.scores: dict[int, list[int]] = {}
        self.posted: dict[tuple[int, int], int] = {}
        self.live: set[int] = set()

    def player(self, team: int, key: str) -> int | None:
        return self.state.players.get(f"{team}|{key}")

    def _check(self) -> None:
        if self.stop.is_set():
            raise StopRequestedError

    def reset(self, match_id: int) -> None:
        """Back to scheduled, without score or events: the match can be played again."""
        self._check()
        self.editor.update(
            "matches", match_id, status="scheduled", home_score=None, away_score=None, decided_in=None, period_scores=[]
        )
        for event in self.editor.listing("match_events", match_id=match_id):
            self._check()
            self.editor.delete("match_events", int(event["id"]))

    def play(self, step: Step, on_progress: Callable[[str], None] | None = None) -> bool:
        """Play ``step``; False when stopped before its end (its matches are left as they are)."""
        started = time.monotonic()
        requests = self.api.requests
        try:
            if step.resets:
                log.info(
                    "the live part of %s is exhausted: starting over, %d matches set back to scheduled and their "
                    "events deleted (the tables fall back to the imported results)",
                    " and ".join(step.restarted),
                    len(step.resets),
                )
                for match_id in step.resets:
                    self.reset(match_id)
            for script in step.scripts:
                match = self.api.get("matches", script.match_id)
                if match["status"] != "scheduled":
                    log.info(
                        "%s was left %s by an earlier run: setting it back to scheduled", script.label, match["status"]
                    )
                    self.reset(script.match_id)
                self.matches[script.match_id] = match
                self.scores[script.match_id] = [0, 0]
                if script.match_id in step.lineups and not self.api.listing("lineups", match_id=script.match_id):
                    self._lineup(match, step.lineups[script.match_id])
            self._run(step, on_progress)
            self._correct(step.scripts)
        except StopRequestedError:
            log.info(
                "stopped during step %d (%s) after %d requests; matches left live: %s. The next start sets them "
                "back to scheduled and plays the step again",
                step.number,
                step.title,
                self.api.requests - requests,
                ", ".join(str(m) for m in sorted(self.live)) or "none",
            )
            return False
        log.info(
            "step %d played in %.0f s (%d requests)",
            step.number,
            time.monotonic() - started,
            self.api.requests - requests,
        )
        return True

    def _lineup(self, match: dict[str, Any], rows: list[tuple[str, str, bool, int | None, str | None]]) -> None:
        team = {"home": match["home_team_id"], "away": match["away_team_id"]}
        for side, key, starter, number, position in rows:
            self._check()
            pid = self.player(team[side], key)
            if pid is None:
                log.warning(
                    "no player %s of team %s: left out of the line-up of match %s", key, team[side], match["id"]
                )
                continue
            body: dict[str, Any] = {
                "match_id": match["id"],
                "team_id": team[side],
                "player_id": pid,
                "starter": starter,
            }
            if number is not None:
                body["number"] = number
            if position:
                body["position"] = position
            self.api.create("lineups", **body)

    def _run(self, step: Step, on_progress: Callable[[str], None] | None) -> None:
        scripts = {s.match_id: s for s in step.scripts}
        beats = timeline(step.scripts, self.match_seconds)
        log.info(
            "step %d: %s: %d matches kick off now, about %.0f s of play (%d requests)",
            step.number,
            step.title,
            len(step.scripts),
            beats[-1].at if beats else 0,
            len(beats),
        )
        t0 = time.monotonic()
        for beat in beats:
            if self.stop.wait(max(0.0, t0 + beat.at - time.monotonic())):
                raise StopRequestedError
            self._beat(scripts[beat.match_id], beat)
            if on_progress is not None and beat.action == "final":
                on_progress(scripts[beat.match_id].label)

    def _beat(self, script: MatchScript, beat: Beat) -> None:
        match = self.matches[script.match_id]
        score = self.scores[script.match_id]
        if beat.action == "kickoff":
            self.api.update("matches", script.match_id, status="live", home_score=0, away_score=0)
            self.live.add(script.match_id)
        elif beat.action == "event":
            assert beat.event is not None
            event = script.events[beat.event]
            body = event_body(event, match, self.player)
            self.posted[(script.match_id, beat.event)] = self.api.create("match_events", **body)
            if event.kind in GOALS:
                score[0 if event.side == "home" else 1] += 1
                self.api.update("matches", script.match_id, home_score=score[0], away_score=score[1])
                when = f"{event.minute}'" if event.minute is not None else f"P{event.period} {event.clock_seconds}s"
                log.info("goal %s: %s %d-%d", when, script.label, score[0], score[1])
        elif beat.action == "period_end":
            body = {
                "match_id": script.match_id,
                "team_id": match["home_team_id"],
                "kind": "period_end",
                "period": beat.period,
            }
            self.api.create("match_events", **body)
        else:
            self.api.update(
                "matches",
                script.match_id,
                status="finished",
                home_score=script.home_score,
                away_score=script.away_score,
                decided_in=script.decided_in,
                period_scores=period_scores(script),
            )
            self.live.discard(script.match_id)
            log.info(
                "finished: %s %d-%d%s",
                script.label,
                script.home_score,
                script.away_score,
                "" if script.decided_in == "REG" else f" ({script.decided_in})",
            )

    def _correct(self, scripts: list[MatchScript]) -> None:
        """A goal of a finished match taken back (a review) and given again: the score changes twice."""
        choice = choose_correction(scripts)
        if choice is None:
            return
        match_id, index = choice
        script = next(s for s in scripts if s.match_id == match_id)
        event = script.events[index]
        side = 0 if event.side == "home" else 1
        lowered = [script.home_score, script.away_score]
        lowered[side] -= 1
        self._check()
        self.editor.delete("match_events", self.posted[(match_id, index)])
        self.editor.update("matches", match_id, home_score=lowered[0], away_score=lowered[1])
        self._check()
        body = event_body(event, self.matches[match_id], self.player)
        self.posted[(match_id, index)] = self.editor.create("match_events", **body)
        self.editor.update("matches", match_id, home_score=script.home_score, away_score=script.away_score)
        log.info(
            "correction after the final whistle of %s: the goal of %s at %s was taken back (%d-%d) and given "
            "again (%d-%d): two score_corrected notices",
            script.label,
            event.player or "(no scorer in the data)",
            f"{event.minute}'" if event.minute is not None else f"period {event.period}",
            lowered[0],
            lowered[1],
            script.home_score,
            script.away_score,
        )
