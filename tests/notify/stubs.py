"""Test doubles for the notify tests: a stub DNS resolver that never touches the network."""

from __future__ import annotations

import socket


class StubResolver:
    """Maps host names to the address strings a test chooses and records every lookup.

    Unknown names raise `socket.gaierror`, as `getaddrinfo` does for a name that does not exist.
    """

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = dict(table or {})
        self.lookups: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.table[host])
