"""Telegram: a bot that lets chats follow teams, competitions and matches, and a sender that delivers the
stream's notices to them within Telegram's limits, exactly once per chat.

``rstat telegram`` runs both in one process (``service.py``); ``rstat/boot/telegram.py`` builds the adapters.
This package never imports ``rstat``; it reads the notices topic's JSON, not the stream processor's code.
"""

__all__: list[str] = []
