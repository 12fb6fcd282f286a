"""The dashboard's sign-in over HTTP (in process, the real app and database): the session
cookie's flags, CSRF on forms, sign-out, a revoked key ending the session, the create form
showing the API's own error beside the field, and offline `/docs` and `/redoc`."""

from __future__ import annotations

import re

from sniper.accounts import service as accounts
from sniper.accounts.keys import display_prefix
from sniper.db.session import transaction
from tests.conftest import Harness

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def _signed_in(harness: Harness, key: str) -> str:
    """Sign in with `key`; the CSRF token of the targets page."""
    answer = await harness.client.post("/dashboard/login", data={"api_key": key})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/dashboard/targets"
    page = await harness.client.get("/dashboard/targets")
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


async def test_sign_in_sets_a_strict_http_only_cookie(harness: Harness) -> None:
    key = await harness.account("alice")
    bad = await harness.client.post("/dashboard/login", data={"api_key": "snp_nope"})
    assert bad.status_code == 401
    assert "Invalid or revoked API key" in bad.text
    answer = await harness.client.post("/dashboard/login", data={"api_key": key})
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("sniper_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    page = await harness.client.get("/dashboard/targets")
    assert re.search(r"0 of \d+ slots used", page.text), page.text


async def test_unsigned_visitors_go_to_sign_in(harness: Harness) -> None:
    answer = await harness.client.get("/dashboard/targets")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/login"
    assert (await harness.client.get("/")).headers["location"] == "/dashboard/targets"


async def test_forms_need_the_session_csrf_token(harness: Harness) -> None:
    key = await harness.account("alice")
    csrf = await _signed_in(harness, key)
    refused = await harness.client.post("/dashboard/targets", data={"ticker": "SONY"})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    created = await harness.client.post(
        "/dashboard/targets", data={"csrf": csrf, "ticker": "SONY", "duration_minutes": "60"}
    )
    assert created.status_code == 303, created.text
    page = await harness.client.get(created.headers["location"])
    assert "SONY" in page.text
    assert "1 of" in page.text


async def test_the_api_error_shows_beside_its_field(harness: Harness) -> None:
    key = await harness.account("alice")
    csrf = await _signed_in(harness, key)
    answer = await harness.client.post(
        "/dashboard/targets", data={"csrf": csrf, "ticker": "ZZZQQX"}
    )
    assert answer.status_code == 400
    assert re.search(r'id="f-ticker-error"[^>]*>ticker: unknown ticker', answer.text), answer.text
    answer = await harness.client.post(
        "/dashboard/targets", data={"csrf": csrf, "ticker": "SONY", "duration_minutes": "9999"}
    )
    assert answer.status_code == 400
    assert 'id="f-duration_minutes-error"' in answer.text
    listed = await harness.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})
    assert listed.json()["meta"]["total"] == 0


async def test_sign_out_and_revocation_end_the_session(harness: Harness) -> None:
    key = await harness.account("alice")
    csrf = await _signed_in(harness, key)
    out = await harness.client.post("/dashboard/logout", data={"csrf": csrf})
    assert out.status_code == 303
    assert (await harness.client.get("/dashboard/targets")).status_code == 303
    await _signed_in(harness, key)
    async with transaction(harness.runtime.sessions) as session:
        await accounts.revoke_api_key(session, display_prefix(key), now=harness.clock.now())
    answer = await harness.client.get("/dashboard/targets")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/login"


async def test_docs_and_redoc_load_only_local_assets(harness: Harness) -> None:
    for path in ("/docs", "/redoc"):
        page = await harness.client.get(path)
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets, page.text
        assert all(url.startswith("/") for url in assets), assets
        assert not re.search(r"https?://", page.text.replace("http://sniper.test", "")), path
        for url in assets:
            fetched = await harness.client.get(url)
            assert fetched.status_code == 200, url
            assert len(fetched.content) > 1000, url
    assert (await harness.client.get("/openapi.json")).status_code == 200


async def test_ticker_autocomplete_and_another_accounts_target(harness: Harness) -> None:
    bob = await harness.account("bob")
    made = await harness.client.post(
        "/api/v1/sniper/targets", headers={"X-API-Key": bob}, json={"ticker": "SONY"}
    )
    assert made.status_code == 200, made.text
    csrf = await _signed_in(harness, await harness.account("alice"))
    found = await harness.client.get("/dashboard/tickers", params={"q": "son"})
    assert "SONY" in [row["ticker"] for row in found.json()]
    target_id = made.json()["target_id"]
    answer = await harness.client.post(
        f"/dashboard/targets/{target_id}/stop", data={"csrf": csrf}, follow_redirects=True
    )
    assert f"target {target_id!r} not found" in answer.text.replace("&#39;", "'")
    listed = await harness.client.get("/api/v1/sniper/targets", headers={"X-API-Key": bob})
    assert listed.json()["targets"][0]["status"] != "STOPPED"
