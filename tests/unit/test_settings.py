from __future__ import annotations

import pytest

from rstat.settings import Secret, SettingsError, load_settings


def test_defaults_describe_the_local_stack() -> None:
    s = load_settings({})
    assert s.postgres.port == 54329
    assert not s.postgres.external
    assert s.kafka.bootstrap() == "127.0.0.1:19092"
    assert not s.clickhouse.external


def test_environment_overrides_typed_values() -> None:
    s = load_settings(
        {"RSTAT__KAFKA__PARTITIONS": "6", "RSTAT__KAFKA__BOOTSTRAP_SERVERS": "k1:9092,k2:9092", "OTHER": "ignored"}
    )
    assert s.kafka.partitions == 6
    assert s.kafka.external
    assert s.kafka.bootstrap() == "k1:9092,k2:9092"


def test_secrets_never_show_in_reprs() -> None:
    s = load_settings(
        {
            "RSTAT__POSTGRES__DSN": "postgresql://u:hunter2@db/x",
            "RSTAT__POSTGRES__APP_PASSWORD": "s3cret-app",
            "RSTAT__CLICKHOUSE__URL": "http://u:chpass@ch:8123",
        }
    )
    text = repr(s) + str(s.postgres)
    for secret in ("hunter2", "s3cret-app", "chpass", "rstat-admin-local"):
        assert secret not in text
    assert s.postgres.app_dsn() == "postgresql://u:hunter2@db/x"
    assert s.postgres.external


def test_settings_are_frozen() -> None:
    s = load_settings({})
    with pytest.raises(AttributeError):
        s.kafka.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RSTAT__KAFKA__PROT": "1"}, "unknown key 'prot'"),
        ({"RSTAT__KAFKAA__PORT": "1"}, "unknown section 'kafkaa'"),
        ({"RSTAT__KAFKA": "1"}, "expected RSTAT__SECTION__KEY"),
        ({"RSTAT__KAFKA__PORT": "many"}, "Expected `int`"),
        ({"RSTAT__CDC__KEY_COLUMNS": "match_events"}, r"RSTAT__CDC__KEY_COLUMNS: 'match_events' should read table:"),
        ({"RSTAT__CDC__KEY_COLUMNS": "t:a+"}, r"RSTAT__CDC__KEY_COLUMNS: 't:a\+' should read table:"),
        ({"RSTAT__CDC__KEY_COLUMNS": "t:a,t:b"}, "RSTAT__CDC__KEY_COLUMNS: table 't' is named twice"),
        ({"RSTAT__CDC__EXCLUDE_COLUMNS": "users"}, "RSTAT__CDC__EXCLUDE_COLUMNS: 'users' should read table.column"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_secret_compares_by_value_without_revealing() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert "a" not in repr(Secret("a"))


def test_component_sections_parse_their_mini_languages_at_load() -> None:
    s = load_settings(
        {
            "RSTAT__CDC__TABLES": "teams, players,",
            "RSTAT__CDC__KEY_COLUMNS": "match_events:match_id,lineups:match_id+team_id",
            "RSTAT__CDC__EXCLUDE_COLUMNS": "users.password_hash,users.email",
        }
    )
    assert s.cdc.tables == ("teams", "players")
    assert s.cdc.key_columns == {"match_events": ("match_id",), "lineups": ("match_id", "team_id")}
    assert s.cdc.exclude_columns == {"users": ("password_hash", "email")}
    assert load_settings({}).cdc.exclude_columns["api_clients"] == ("secret_hash",)
