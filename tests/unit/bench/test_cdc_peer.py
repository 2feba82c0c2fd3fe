"""``rstat bench cdc --peer debezium``: the generated Connect and Debezium configuration, and the side-by-side
arithmetic (no services, no JVM)."""

from __future__ import annotations

from pathlib import Path

from rstat.bench.cdc_peer import side_by_side
from rstat.bench.debezium import DebeziumJars, connector_config, jvm_command, render_properties, worker_config

CONNINFO = {"host": "127.0.0.1", "port": "54329", "user": "admin", "password": "p=w:d", "dbname": "bench_dbz_x"}


def _connector() -> dict[str, str]:
    return connector_config(
        name="bench-dbz-x",
        conninfo=CONNINFO,
        topic_prefix="bench.x.dbz",
        slot="bench_dbz_x",
        publication="bench_dbz_pub_x",
        tables=("bench_rows",),
    )


def test_connector_streams_our_publication_only_with_pgoutput() -> None:
    config = _connector()
    assert config["connector.class"] == "io.debezium.connector.postgresql.PostgresConnector"
    assert config["plugin.name"] == "pgoutput"
    assert config["snapshot.mode"] == "no_data"  # streaming only, as for our reader
    assert config["publication.autocreate.mode"] == "disabled"
    assert config["publication.name"] == "bench_dbz_pub_x"
    assert config["slot.name"] == "bench_dbz_x"
    assert config["table.include.list"] == "public.bench_rows"
    assert config["database.dbname"] == "bench_dbz_x"
    assert config["topic.prefix"] == "bench.x.dbz"
    assert config["tasks.max"] == "1"


def test_connector_is_tuned_for_throughput_and_a_short_poll() -> None:
    config = _connector()
    batch, queue = int(config["max.batch.size"]), int(config["max.queue.size"])
    assert batch > 2048
    assert queue > 8192
    assert queue > batch  # Debezium requires the queue to be larger than a batch
    assert int(config["poll.interval.ms"]) <= 5  # our linger; the default 500 ms would decide the latency
    assert not any(key.startswith("topic.creation") for key in config)  # a worker setting, refused here


def test_worker_uses_schemaless_json_a_private_offsets_file_and_our_producer(tmp_path: Path) -> None:
    config = worker_config(bootstrap="127.0.0.1:19092", offsets_file=tmp_path / "offsets", rest_port=18000)
    assert config["bootstrap.servers"] == "127.0.0.1:19092"
    for side in ("key", "value"):
        assert config[f"{side}.converter"] == "org.apache.kafka.connect.json.JsonConverter"
        assert config[f"{side}.converter.schemas.enable"] == "false"
    assert config["offset.storage.file.filename"] == str(tmp_path / "offsets")
    assert config["listeners"] == "http://127.0.0.1:18000"
    assert config["topic.creation.enable"] == "false"
    # the settings of cdc/publisher.py and cdc/config.py
    assert config["producer.enable.idempotence"] == "true"
    assert config["producer.acks"] == "all"
    assert config["producer.compression.type"] == "lz4"
    assert config["producer.linger.ms"] == "5"
    assert config["producer.batch.size"] == "1000000"


def test_properties_escape_separators() -> None:
    text = render_properties({"database.password": "p=w:d", "a": "c:\\x"})
    assert "database.password=p\\=w\\:d\n" in text
    assert "a=c\\:\\\\x\n" in text


def test_jvm_runs_connect_standalone_with_the_distribution_heap(tmp_path: Path) -> None:
    command = jvm_command(tmp_path / "libs", tmp_path / "log4j2", tmp_path / "w", tmp_path / "c")
    assert "-Xmx2G" in command
    assert "-Xms256M" in command
    assert command[command.index("-cp") + 1] == f"{tmp_path / 'libs'}/*"
    assert command[-3:] == ["org.apache.kafka.connect.cli.ConnectStandalone", str(tmp_path / "w"), str(tmp_path / "c")]


def test_pom_resolves_connect_of_the_stack_kafka_version_and_debezium() -> None:
    pom = DebeziumJars.pom()
    kafka_pom = (Path(__file__).parents[3] / "rstat" / "ops" / "stack" / "kafka-pom.xml").read_text()
    version = kafka_pom.split("<kafka.version>")[1].split("<")[0]
    assert f"<kafka.version>{version}</kafka.version>" in pom
    for artifact in ("connect-runtime", "connect-json", "debezium-connector-postgres"):
        assert f"<artifactId>{artifact}</artifactId>" in pom
    assert "<debezium.version>3.6.1.Final</debezium.version>" in pom
    assert "--" not in pom.split("?>", 1)[1].replace("<!--", "").replace("-->", "")  # Maven rejects it in comments


def test_side_by_side_keeps_our_keys_and_divides_ours_by_theirs() -> None:
    ours = {
        "bulk_changes_per_s": 30_000,
        "raw_decode_changes_per_s": 300_000,
        "bulk_share_of_raw": 0.1,
        "small_tx_per_s": 8_000,
        "latency_p50_ms": 5.0,
        "latency_p99_ms": 20.0,
        "peak_rss_mb_1m_tx": 100,
    }
    theirs = {"bulk_changes_per_s": 15_000, "small_tx_per_s": 4_000, "latency_p99_ms": 40.0, "peak_rss_mb_1m_tx": 400}
    result = side_by_side(ours, theirs, {"name": "debezium"})
    assert {k: result[k] for k in ours} == ours
    assert result["bulk_ratio_to_debezium"] == 2.0
    assert result["small_tx_ratio_to_debezium"] == 2.0
    assert result["latency_p99_ratio_to_debezium"] == 0.5
    assert result["rss_ratio_to_debezium"] == 0.25
    assert result["debezium"]["bulk_share_of_raw"] == 0.05
    assert "better" in result["notes"]


def test_side_by_side_gives_no_ratio_without_a_figure() -> None:
    result = side_by_side({"bulk_changes_per_s": 1}, {"bulk_changes_per_s": 0, "peak_rss_mb_1m_tx": None}, {})
    assert result["bulk_ratio_to_debezium"] is None
    assert result["rss_ratio_to_debezium"] is None
