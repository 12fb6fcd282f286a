"""The trading engine: bars in, indicators (talipp), conditions, order intents through the
control plane's gate, a paper broker, positions and exits, closed trades out. Pure: no
database, no HTTP, no clock; paper trading and backtests drive the same `Engine`."""
