"""The trading control plane (seed 004, DESIGN.md "Trading control plane"): per-client pause /
stop / resume / start, system-wide emergency / soft pause / system stop, an append-only audit,
the order gate every order intent passes, and the `/ws/subscribe` push.

    status.py    stored flags -> derived status (pure)
    commands.py  command x flags -> result, new flags, HTTP status (pure)
    gate.py      order intent x status -> allow / deny (the engine's pure decision)
    repository.py, service.py, endpoints.py (+ routing.py: `{"detail": ..}` errors),
    push.py + ws.py (`/ws/subscribe`), cli.py (`sniper trading ...`)
"""
