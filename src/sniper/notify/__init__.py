"""Outbound notifications: Standard Webhooks signing, the SSRF guard, the webhook sender, durable
delivery and the in-process WebSocket push hub.

Modules: `signing` (Standard Webhooks v1 headers and verification), `ssrf` (URL and resolved
address checks), `sender` (one signed POST attempt, classified for retry), `hub` (per-account
fan-out of JSON messages to WebSocket subscribers), `ws` (the WebSocket endpoint). Durable
delivery: `policy` (retry schedule as data plus one function), `repository` (all SQL),
`tasks` (job `webhook.deliver`: claim, send, record), `delivery` (the worker loop),
`service` + `endpoints` + `schemas` (`/api/v1/webhooks`), `webhook_secrets` (rotation).
"""
