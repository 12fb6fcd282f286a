"""The Prometheus metrics of a Sniper process (issue 16 item 2), in `REGISTRY`.

Counters and histograms move where the event happens (the SEC client, the watcher, the webhook
job, the leader election); the gauges that describe the database or the process now (retry
queue depth, job lag, WebSocket connections) are set by `sniper.monitoring` at scrape time.
Every duration is in seconds of the service clock (replay time in replay mode).

    sniper_detection_lag_from_acceptance_seconds{source}    histogram: acceptance -> seen
    sniper_detection_lag_from_first_public_seconds{source}  histogram: first public -> seen
    sniper_edgar_requests_total{source,status}              counter: status code or `error`
    sniper_polls_total                                      counter: watcher ticks
    sniper_hits_total                                       counter: targets fired
    sniper_webhook_deliveries_total{outcome}                counter: per attempt, the outcome
    sniper_webhook_retry_queue_depth                        gauge: deliveries waiting to retry
    sniper_websocket_connections                            gauge: open WebSockets
    sniper_job_lag_seconds{job}                             gauge: oldest due job's wait
    sniper_leader{schedule}                                 gauge: 1 while this process leads

The registry is the process's own (not prometheus-client's global one), so importing Sniper
exports nothing by itself; several apps in one process (tests) share it.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)
LAG_BUCKETS = (0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300, 600, 1800, 3600)

DETECTION_LAG_ACCEPTED = Histogram(
    "sniper_detection_lag_from_acceptance_seconds",
    "Seconds from EDGAR's acceptance time to a source first seeing the filing.",
    ["source"],
    buckets=LAG_BUCKETS,
    registry=REGISTRY,
)
DETECTION_LAG_PUBLIC = Histogram(
    "sniper_detection_lag_from_first_public_seconds",
    "Seconds from the filing's first public appearance (Archives or feed; known in replay "
    "mode only) to a source first seeing it.",
    ["source"],
    buckets=LAG_BUCKETS,
    registry=REGISTRY,
)
EDGAR_REQUESTS = Counter(
    "sniper_edgar_requests",
    "Requests sent to EDGAR, by requesting source and HTTP status (`error`: no answer).",
    ["source", "status"],
    registry=REGISTRY,
)
POLLS = Counter("sniper_polls", "Watcher ticks (one planner second each).", registry=REGISTRY)
HITS = Counter("sniper_hits", "Targets fired by a matching filing.", registry=REGISTRY)
WEBHOOK_DELIVERIES = Counter(
    "sniper_webhook_deliveries",
    "Webhook delivery attempts by the delivery's outcome: delivered, retrying or dead.",
    ["outcome"],
    registry=REGISTRY,
)
RETRY_QUEUE_DEPTH = Gauge(
    "sniper_webhook_retry_queue_depth",
    "Pending webhook deliveries that failed at least once and wait for a retry.",
    registry=REGISTRY,
)
WEBSOCKET_CONNECTIONS = Gauge(
    "sniper_websocket_connections",
    "Open WebSocket connections of this process (/ws/main-api and /ws/subscribe).",
    registry=REGISTRY,
)
JOB_LAG = Gauge(
    "sniper_job_lag_seconds",
    "Seconds the oldest due job of each queue has waited past its due time (0: none due).",
    ["job"],
    registry=REGISTRY,
)
LEADER = Gauge(
    "sniper_leader",
    "1 while this process holds the schedule's leader lock, else 0.",
    ["schedule"],
    registry=REGISTRY,
)


def edgar_request(source: str, status: int | None) -> None:
    """Count one request EDGAR answered with `status` (None: network error or timeout)."""
    EDGAR_REQUESTS.labels(source=source, status=str(status) if status else "error").inc()
