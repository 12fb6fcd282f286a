"""Text rules shared by every API surface."""

from __future__ import annotations

# PostgreSQL `text` cannot hold U+0000 (SQLite can): a string field carrying it must be refused
# as bad input, never reach the database as a 500. Use as a pydantic / FastAPI `pattern`.
NO_NUL = r"^[^\x00]*$"
