"""`sniper accounts grant|show` and `sniper keys list|revoke`, run as a user runs them."""

from __future__ import annotations

from sniper.accounts.service import revoke_api_key
from sniper.db.session import transaction
from tests.conftest import Harness
from tests.support.cli import sniper


def test_grant_show_list_and_revoke(cli_env: dict[str, str]) -> None:
    sniper(cli_env, "migrate")
    sniper(cli_env, "accounts", "create", "acme", "--plan", "paid", "--tokens", "5")
    key = sniper(cli_env, "keys", "create", "acme").stdout.strip()
    granted = sniper(cli_env, "accounts", "grant", "acme", "20")
    assert granted.returncode == 0
    assert "balance 25" in granted.stdout
    assert sniper(cli_env, "accounts", "grant", "acme", "0").returncode == 2
    shown = sniper(cli_env, "accounts", "show", "acme").stdout
    assert "paid" in shown
    assert "25" in shown
    listed = sniper(cli_env, "keys", "list", "acme").stdout
    assert key[:12] in listed
    assert key[12:] not in listed, "only the display prefix is ever shown"
    revoked = sniper(cli_env, "keys", "revoke", key[:12])
    assert revoked.stdout.strip() == f"revoked {key[:12]}"
    again = sniper(cli_env, "keys", "revoke", key[:12])
    assert again.stdout.strip() == f"{key[:12]} was already revoked"
    unknown = sniper(cli_env, "keys", "revoke", "snp_nothing0")
    assert unknown.returncode == 1
    assert "no API key" in unknown.stderr


async def test_a_revoked_key_is_refused(harness: Harness) -> None:
    key = await harness.account("alice")
    assert (
        await harness.client.get("/api/v1/user/", headers={"X-API-Key": key})
    ).status_code == 200
    async with transaction(harness.runtime.sessions) as session:
        await revoke_api_key(session, key[:12], now=harness.clock.now())
    refused = await harness.client.get("/api/v1/user/", headers={"X-API-Key": key})
    assert refused.status_code == 401
