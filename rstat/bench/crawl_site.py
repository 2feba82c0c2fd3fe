"""A local stand-in for the sites the crawlers read, for the tests and ``rstat bench crawl``: saved pages
served over HTTP on a loopback port, with what real sites do to a crawler.

- ``robots.txt`` as given (disallow a path to see it respected);
- scripted answers: the next requests of a path get 429 (with ``Retry-After``) or 5xx before the page, or the
  page only after a pause (a site that hangs);
- a live NHL game (:class:`GrowingGame`): its play-by-play grows from the saved game's plays, 0-0 at
  first, play after play, to the final document, and remembers when each play appeared;
- a log of every request (path, status, User-Agent) to check what a crawl asked for.

The NHL schedule documents are built from saved play-by-play documents (their headers are the same
fields the schedule endpoints give per game). ``python -m rstat.bench.crawl_site`` serves every saved page
of ``tests/data`` for ``rstat crawl --url`` by hand.
"""

from __future__ import annotations

import contextlib
import copy
import http.server
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

__all__ = ["CrawlSite", "GrowingGame", "Hit", "game_header", "nhl_schedule", "saved_site", "serve"]

HEADER_FIELDS = (
    "id", "season", "gameType", "gameDate", "venue", "startTimeUTC", "gameState", "gameScheduleState",
    "periodDescriptor", "gameOutcome",
)  # fmt: skip


class Hit(msgspec.Struct, frozen=True):
    path: str
    status: int
    user_agent: str
    at: float


def game_header(pbp: dict[str, Any]) -> dict[str, Any]:
    """A game as the schedule endpoints list it, from its play-by-play document."""
    game = {k: copy.deepcopy(pbp[k]) for k in HEADER_FIELDS if k in pbp}
    for side in ("homeTeam", "awayTeam"):
        team = pbp[side]
        game[side] = {
            "id": team["id"],
            "abbrev": team["abbrev"],
            "commonName": team["name"],
            "placeName": team["placeName"],
            **({"score": team["score"]} if "score" in team else {}),
        }
    return game


def nhl_schedule(date: str, games: list[dict[str, Any]]) -> dict[str, Any]:
    """``/v1/schedule/{date}`` for ``games`` (play-by-play documents) on that date."""
    return {"gameWeek": [{"date": date, "games": [game_header(g) for g in games]}]}


class GrowingGame:
    """A game in play: its play-by-play shows the saved game's first ``shown`` plays (sorted), the score of
    the goals among them and ``LIVE``; all of them: the saved, final document."""

    def __init__(self, final: dict[str, Any]) -> None:
        self.final = final
        self.plays = sorted(final["plays"], key=lambda p: int(p["sortOrder"]))
        self.shown = 0
        self.started = False
        #: eventId -> when it appeared (time.monotonic())
        self.appeared: dict[str, float] = {}
        self.lock = threading.Lock()

    @property
    def goals(self) -> list[dict[str, Any]]:
        return [p for p in self.plays if p["typeDescKey"] == "goal" and p["periodDescriptor"]["periodType"] != "SO"]

    def start(self) -> None:
        with self.lock:
            self.started = True

    def reveal(self, count: int) -> None:
        """Show ``count`` more plays."""
        with self.lock:
            self.started = True
            now = time.monotonic()
            for play in self.plays[self.shown : self.shown + count]:
                self.appeared[str(play["eventId"])] = now
            self.shown = min(len(self.plays), self.shown + count)

    def reveal_through_next_goal(self) -> dict[str, Any] | None:
        """Show the plays up to and including the next goal; that goal, or None (then every play shows)."""
        for index in range(self.shown, len(self.plays)):
            play: dict[str, Any] = self.plays[index]
            if play["typeDescKey"] == "goal":
                self.reveal(index + 1 - self.shown)
                return play
        self.reveal(len(self.plays) - self.shown)
        return None

    @property
    def done(self) -> bool:
        return self.shown >= len(self.plays)

    def document(self) -> dict[str, Any]:
        with self.lock:
            if self.done:
                return self.final
            doc = {k: v for k, v in self.final.items() if k not in ("plays", "gameOutcome")}
            doc["plays"] = self.plays[: self.shown]
            doc["gameState"] = "LIVE" if self.started else "PRE"
            scores = {"home": 0, "away": 0}
            side_of = {self.final["homeTeam"]["id"]: "home", self.final["awayTeam"]["id"]: "away"}
            for play in doc["plays"]:
                if play["typeDescKey"] == "goal" and play["periodDescriptor"]["periodType"] != "SO":
                    scores[side_of[play["details"]["eventOwnerTeamId"]]] += 1
            for side in ("home", "away"):
                doc[f"{side}Team"] = {**self.final[f"{side}Team"], "score": scores[side]}
            if doc["plays"]:
                doc["periodDescriptor"] = doc["plays"][-1]["periodDescriptor"]
            return doc


class CrawlSite:
    """What the server serves; safe to change while it runs."""

    def __init__(self, robots: str = "User-agent: *\nAllow: /\n") -> None:
        self.robots = robots
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.games: dict[str, GrowingGame] = {}
        self.scripts: dict[str, deque[tuple[int, dict[str, str]]]] = {}
        #: path -> seconds every answer of it waits
        self.pauses: dict[str, float] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.url = ""

    def put(self, path: str, body: bytes | str, content_type: str = "text/plain; charset=utf-8") -> None:
        self.pages[path] = (body.encode() if isinstance(body, str) else body, content_type)

    def put_json(self, path: str, doc: Any) -> None:
        self.put(path, json.dumps(doc), "application/json")

    def live_game(self, path: str, final: dict[str, Any]) -> GrowingGame:
        game = GrowingGame(final)
        self.games[path] = game
        return game

    def script(self, path: str, *answers: tuple[int, dict[str, str]]) -> None:
        """The next requests of ``path`` get these statuses (and headers), in order, before the page."""
        with self.lock:
            self.scripts.setdefault(path, deque()).extend(answers)

    def hang(self, path: str, seconds: float) -> None:
        """Every answer of ``path`` comes ``seconds`` late."""
        self.pauses[path] = seconds

    def requested(self, path: str) -> list[Hit]:
        return [h for h in list(self.hits) if h.path == path]

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path in self.pauses:
            time.sleep(self.pauses[path])  # a thread of its own per request: the others are not held up
        with self.lock:
            queue = self.scripts.get(path)
            if queue:
                status, headers = queue.popleft()
                return status, headers, f"scripted {status}\n".encode()
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots.encode()
        if path in self.games:
            return 200, {"Content-Type": "application/json"}, json.dumps(self.games[path].document()).encode()
        if path in self.pages:
            body, content_type = self.pages[path]
            return 200, {"Content-Type": content_type}, body
        return 404, {"Content-Type": "text/plain"}, b"not found\n"


def _handler(site: CrawlSite) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            status, headers, body = site.answer(path)
            site.hits.append(Hit(path, status, self.headers.get("User-Agent", ""), time.monotonic()))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(site: CrawlSite, port: int = 0) -> Iterator[CrawlSite]:
    """Serve ``site`` on a loopback port (``site.url``; a free one by default) until the block ends."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(site))
    server.daemon_threads = True
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="crawl-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def saved_site(data: Path) -> CrawlSite:
    """Every saved page of ``data`` (the repository's ``tests/data``) where its site has it: football-data.co.uk's
    2023/24 Premier League CSV, openfootball's files, the two NHL games and their days' schedules."""
    site = CrawlSite()
    football, hockey = data / "football", data / "hockey"
    site.put("/mmz4281/2324/E0.csv", (football / "E0_2324.csv").read_bytes(), "text/csv")
    site.put("/fixtures.csv", "Div,Date,Time,HomeTeam,AwayTeam\n", "text/csv")
    site.put("/2023-24/en.1.json", (football / "2023-24_en.1.json").read_bytes(), "application/json")
    site.put("/2018/worldcup.json", (football / "2018_worldcup.json").read_bytes(), "application/json")
    site.put("/more/2018_full.txt", (football / "2018_full.txt").read_bytes())
    for path in sorted(hockey.glob("play-by-play_*.json")):
        game = json.loads(path.read_text(encoding="utf-8"))
        site.put_json(f"/v1/gamecenter/{game['id']}/play-by-play", game)
        site.put_json(f"/v1/schedule/{game['gameDate']}", nhl_schedule(game["gameDate"], [game]))
    return site  # FBref's saved reports are read as they are: rstat crawl fbref --pages tests/data/football/fbref


def main() -> None:
    """``python -m rstat.bench.crawl_site [PORT]``: serve the saved pages until Ctrl-C (for ``rstat crawl
    --url``)."""
    root = Path(__file__).resolve().parents[2]
    site = saved_site(root / "tests" / "data")
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    with serve(site, port=port):
        print(f"serving the saved pages of tests/data at {site.url} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
