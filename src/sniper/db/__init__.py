"""Database layer: declarative base, engine factory, session helpers, column types."""
