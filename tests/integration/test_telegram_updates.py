"""How commands reach the bot: long polling (a second poller of the same token makes Telegram answer 409:
the sender says so and stops) or a webhook (Telegram posts with the secret-token header it was given; a
post without it is refused)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import psycopg

from notify.fake_telegram import FakeTelegram
from rstat.ops.stack.process import free_port
from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.telegram_support import SHARED_TOKEN, Sender, sender_env, wait_reply


def test_a_second_poller_of_the_token_makes_the_sender_say_so_and_stop(
    stack: Settings, database: str, tmp_path: Path
) -> None:
    with psycopg.connect(database, autocommit=True) as conn, FakeTelegram() as fake:
        sender = Sender(sender_env(conn.info.dbname, unique("notices"), fake), tmp_path / "telegram.log")
        sender.start_without_waiting()
        sender.wait_for("reads its updates by long polling")
        stop = threading.Event()

        def other_poller() -> None:  # another deployment with the same token
            with httpx.Client(base_url=fake.url, timeout=30) as http:
                while not stop.is_set():
                    http.post(f"/bot{SHARED_TOKEN}/getUpdates", json={"timeout": 1})

        thread = threading.Thread(target=other_poller, daemon=True)
        thread.start()
        try:
            assert sender.proc is not None
            assert sender.proc.wait(timeout=120) == 3
        finally:
            stop.set()
            thread.join(timeout=30)
        assert "Telegram answered 409" in sender.text()
        assert "One poller per token" in sender.text()


def test_webhook_updates_are_answered_and_a_wrong_secret_is_refused(
    stack: Settings, database: str, tmp_path: Path
) -> None:
    port = free_port()
    with psycopg.connect(database, autocommit=True) as conn, FakeTelegram() as fake:
        env = sender_env(
            conn.info.dbname,
            unique("notices"),
            fake,
            RSTAT__TELEGRAM__UPDATES="webhook",
            RSTAT__TELEGRAM__WEBHOOK_URL=f"http://127.0.0.1:{port}",
            RSTAT__TELEGRAM__WEBHOOK_PORT=str(port),
            RSTAT__TELEGRAM__WEBHOOK_SECRET="webhook-test-secret",
        )
        sender = Sender(env, tmp_path / "telegram.log")
        sender.start_without_waiting()
        sender.wait_for("webhook server on")
        url, secret = fake.webhook(SHARED_TOKEN)
        assert url == f"http://127.0.0.1:{port}/telegram/shared"
        assert secret
        assert "webhook-test-secret" not in secret  # derived, not the setting itself
        update = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "text": "/start"}}
        forged = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}, timeout=30)
        assert forged.status_code == 403
        assert httpx.post(url, json=update, timeout=30).status_code == 403
        fake.say(SHARED_TOKEN, 77, "/start")  # posted by the fake with the right header
        wait_reply(fake, 77, "/follow")
        assert fake.messages(5) == []
        sender.stop()
