"""Outbound notifications: Standard Webhooks signing, the SSRF guard, the webhook sender and the
in-process WebSocket push hub.

Modules: `signing` (Standard Webhooks v1 headers and verification), `ssrf` (URL and resolved
address checks), `sender` (one signed POST attempt, classified for retry) and `hub` (per-account
fan-out of JSON messages to WebSocket subscribers). Durable delivery and the WebSocket endpoint
build on these (`delivery`, `ws`).
"""
