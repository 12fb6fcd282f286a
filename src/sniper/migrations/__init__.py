"""Alembic migrations; `sniper migrate` and `serve` apply them through `migrate.upgrade`."""
