"""`sniper webhooks secret ACCOUNT` prints the account's signing secret (the demo shows it)."""

from __future__ import annotations

from tests.support.cli import sniper


def test_secret_is_printed_alone_and_an_unknown_account_is_one_line(
    cli_env: dict[str, str],
) -> None:
    assert sniper(cli_env, "migrate").returncode == 0
    assert sniper(cli_env, "accounts", "create", "acme").returncode == 0
    shown = sniper(cli_env, "webhooks", "secret", "acme")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("whsec_")
    assert shown.stdout.count("\n") == 1, "only the secret"
    assert sniper(cli_env, "webhooks", "secret", "acme").stdout == shown.stdout, "not rotated"
    missing = sniper(cli_env, "webhooks", "secret", "nobody")
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0
    assert "no account named 'nobody'" in missing.stderr
