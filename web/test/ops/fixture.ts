import type { OpsMetrics } from "../../src/ops/element.js";

export function metrics(changes: number | null = 12.5): OpsMetrics {
  return {
    scraped_at: 1_800_000_000,
    history_s: 30,
    processes: [
      { job: "rstat-cdc", url: "http://127.0.0.1:9401/metrics", up: true, healthy: true, error: "", scraped_at: 1, duration_s: 0.01 },
      {
        job: "rstat-streams",
        url: "http://127.0.0.1:9402/metrics",
        up: false,
        healthy: null,
        error: "http://127.0.0.1:9402/metrics: connection refused",
        scraped_at: 1,
        duration_s: 0.01,
      },
      {
        job: "rstat-public",
        url: "http://127.0.0.1:8403/metrics",
        up: true,
        healthy: false,
        error: "/healthz answered 503: catching up",
        scraped_at: 1,
        duration_s: 0.01,
      },
    ],
    panels: [
      {
        id: "changes_per_second",
        title: "Changes captured",
        unit: "per_second",
        description: "Changes rstat cdc published to Kafka.",
        queries: ["sum(rate(rstat_cdc_changes_total[1m]))"],
        range_s: 60,
        series: [{ name: "changes/s", labels: {}, value: changes }],
      },
      {
        id: "commit_to_stats_seconds",
        title: "Commit to statistics",
        unit: "seconds",
        description: "",
        queries: ["p50", "p99"],
        range_s: 300,
        series: [
          { name: "p50", labels: {}, value: 0.042 },
          { name: "p99", labels: {}, value: 1.5 },
        ],
      },
      { id: "slot_lag_bytes", title: "Replication slot lag", unit: "bytes", description: "", queries: [], range_s: 0, series: [] },
    ],
  };
}
