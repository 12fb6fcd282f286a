"""SSRF guard: forbidden URL and address forms are refused (through a stub resolver only)."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import IPv4Network, IPv6Network, ip_address

import httpx
import pytest

from sniper.notify.sender import send_webhook
from sniper.notify.signing import new_webhook_secret
from sniper.notify.ssrf import (
    ResolvedTarget,
    UnresolvableWebhookUrl,
    UnsafeWebhookUrl,
    check_webhook_url,
    default_resolver,
    is_ip_host,
)
from tests.notify.stubs import StubResolver

PUBLIC_V4 = "93.184.216.34"
NAMES = {
    "hooks.example.com": [PUBLIC_V4],
    "v6.example.com": ["2606:4700:4700::1111"],
    "localhost": ["127.0.0.1", "::1"],
    "internal.corp": ["10.1.2.3"],
    "rebind.example.com": [PUBLIC_V4, "127.0.0.1"],
    "metadata.google.internal": ["169.254.169.254"],
    "ula.example.com": ["fd12:3456::1"],
    "scoped.example.com": ["fe80::1%lo"],
    "bogus.example.com": ["not-an-ip"],
    "ec2-v6.example.com": ["fd00:ec2::254"],
    "cgnat.example.com": ["100.100.100.200"],
}

# (url, words the refusal message must contain). Each is refused with allow_networks=[].
REFUSED = [
    ("https://127.0.0.1/hook", "loopback address 127.0.0.1"),
    ("https://127.1/", "loopback address 127.0.0.1"),
    ("https://127.0.1/", "loopback address 127.0.0.1"),
    ("https://2130706433/", "loopback address 127.0.0.1"),
    ("https://0x7f000001/", "loopback address 127.0.0.1"),
    ("https://0x7f.0.0.1/", "loopback address 127.0.0.1"),
    ("https://0177.1/", "loopback address 127.0.0.1"),
    ("https://0177.0.0.01/", "not a valid URL"),
    ("https://127.0.0.1./", "loopback address 127.0.0.1"),
    ("https://0/", "unspecified address 0.0.0.0"),
    ("https://0.0.0.0:8443/", "unspecified address 0.0.0.0"),
    ("https://[::1]/", "loopback address ::1"),
    ("https://[::]/", "unspecified address ::"),
    ("https://[::ffff:127.0.0.1]/", "loopback address 127.0.0.1 (inside ::ffff:7f00:1)"),
    ("https://[::ffff:a9fe:a9fe]/", "cloud metadata address 169.254.169.254"),
    ("https://[::127.0.0.1]/", "loopback address 127.0.0.1"),
    ("https://[::8.8.8.8]/", "reserved address ::808:808"),
    ("https://[64:ff9b::7f00:1]/", "loopback address 127.0.0.1"),
    ("https://[64:ff9b::10.0.0.1]/", "private address 10.0.0.1"),
    ("https://[64:ff9b:1::8.8.8.8]/", "local-use NAT64"),
    ("https://[2002:7f00:1::]/", "loopback address 127.0.0.1"),
    ("https://[2002:a9fe:a9fe::1]/", "cloud metadata address 169.254.169.254"),
    ("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "loopback address 127.0.0.1"),
    ("https://10.0.0.1/", "private address 10.0.0.1"),
    ("https://172.16.5.4/", "private address 172.16.5.4"),
    ("https://192.168.1.1/", "private address 192.168.1.1"),
    ("https://100.64.0.1/", "shared (CGNAT) address 100.64.0.1"),
    ("https://169.254.169.254/latest/meta-data/", "cloud metadata address 169.254.169.254"),
    ("https://169.254.10.10/", "link-local address 169.254.10.10"),
    ("https://192.0.0.192/", "reserved address 192.0.0.192"),
    ("https://192.0.2.1/", "documentation address 192.0.2.1"),
    ("https://198.51.100.7/", "documentation address 198.51.100.7"),
    ("https://203.0.113.9/", "documentation address 203.0.113.9"),
    ("https://198.18.0.1/", "benchmarking address 198.18.0.1"),
    ("https://224.0.0.1/", "multicast address 224.0.0.1"),
    ("https://239.255.255.250/", "multicast address 239.255.255.250"),
    ("https://240.0.0.1/", "reserved address 240.0.0.1"),
    ("https://255.255.255.255/", "reserved address 255.255.255.255"),
    ("https://[fd00:ec2::254]/", "cloud metadata address fd00:ec2::254"),
    ("https://[fc00::1]/", "private address fc00::1"),
    ("https://[fe80::1%25eth0]/", "link-local address fe80::1%eth0"),
    ("https://[fec0::1]/", "site-local address fec0::1"),
    ("https://[ff02::1]/", "multicast address ff02::1"),
    ("https://[ff0e::1]/", "multicast address ff0e::1"),
    ("https://[2001:db8::1]/", "documentation address 2001:db8::1"),
    ("https://[3fff::1]/", "documentation address 3fff::1"),
    ("https://[2001:2::1]/", "benchmarking address 2001:2::1"),
    ("https://[100::1]/", "discard-only address 100::1"),
    ("https://[4000::1]/", "reserved address 4000::1"),
    ("https://localhost/", "loopback address 127.0.0.1"),
    ("https://LOCALHOST:8443/", "loopback address 127.0.0.1"),
    ("https://internal.corp/", "private address 10.1.2.3"),
    ("https://rebind.example.com/", "loopback address 127.0.0.1"),
    ("https://metadata.google.internal/", "cloud metadata address 169.254.169.254"),
    ("https://ula.example.com/", "private address fd12:3456::1"),
    ("https://scoped.example.com/", "link-local address fe80::1%lo"),
    ("https://ec2-v6.example.com/", "cloud metadata address fd00:ec2::254"),
    ("https://cgnat.example.com/", "shared (CGNAT) address 100.100.100.200"),
    ("https://bogus.example.com/", "resolved to a non-IP"),
    ("http://hooks.example.com/", "must use https"),
    ("ftp://hooks.example.com/", "must use https"),
    ("file:///etc/passwd", "must use https"),
    ("javascript:alert(1)", "must use https"),
    ("https://user:pw@hooks.example.com/", "must not contain credentials"),
    ("https://hooks.example.com\\@127.0.0.1/", "must not contain credentials"),
    ("https:///path-only", "must have a host"),
    ("not a url", "must use https"),
    ("https://[::1/", "not a valid URL"),
    ("https://hooks.example.com:0/", "port must be 1-65535"),
    ("https://hooks.example.com:99999/", "port must be 1-65535"),
    ("https://%31%32%37.0.0.1/", "not a valid host name"),
    ("https://1.2.3.4.5/", "not a valid IPv4 address"),
    ("https://256.1.1.1/", "not a valid URL"),
    ("https://08.0.0.1/", "not a valid URL"),
    ("https://09.1/", "not a valid IPv4 address"),
    ("https://0x100.1.1/", "not a valid IPv4 address"),
    ("https://127.16777216/", "not a valid IPv4 address"),
    ("https://hooks.example.123/", "not a valid IPv4 address"),
    ("https://hooks.example.com/" + "a" * 2100, "longer than 2048"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED, ids=[u[:60] for u, _ in REFUSED])
async def test_forbidden_forms_are_refused(url: str, reason: str) -> None:
    resolver = StubResolver(NAMES)
    with pytest.raises(UnsafeWebhookUrl) as refused:
        await check_webhook_url(url, allow_networks=[], resolver=resolver)
    assert reason in str(refused.value)
    assert str(refused.value).startswith("webhook_url ")
    assert len(resolver.lookups) <= 1


async def test_numeric_hosts_are_never_sent_to_the_resolver() -> None:
    resolver = StubResolver({"127.1": [PUBLIC_V4], "2130706433": [PUBLIC_V4]})
    for url in ["https://127.1/", "https://2130706433/", "https://0x7f000001/"]:
        with pytest.raises(UnsafeWebhookUrl, match="loopback"):
            await check_webhook_url(url, allow_networks=[], resolver=resolver)
    assert resolver.lookups == []


async def test_refused_urls_never_open_a_connection() -> None:
    """F7: every refused form, sent through the real sender, makes 0 requests."""
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
        for url, _ in REFUSED:
            result = await send_webhook(
                http,
                url,
                secret=new_webhook_secret(),
                delivery_id="dlv_ssrf",
                body=b"{}",
                timestamp=datetime.now(UTC),
                allow_networks=[],
                resolver=StubResolver(NAMES),
            )
            assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (
                False,
                False,
                None,
            ), url
            assert result.error is not None
            assert result.error.startswith("webhook_url ")
    assert len(REFUSED) >= 30
    assert requests == []


async def test_unresolvable_host_is_its_own_error() -> None:
    resolver = StubResolver()
    with pytest.raises(UnresolvableWebhookUrl, match="does not resolve"):
        await check_webhook_url("https://nx.example.com/", allow_networks=[], resolver=resolver)
    with pytest.raises(UnresolvableWebhookUrl):
        await check_webhook_url(
            "https://empty.example.com/",
            allow_networks=[],
            resolver=StubResolver({"empty.example.com": []}),
        )
    assert resolver.lookups == [("nx.example.com", 443)]


async def test_http_loopback_allowed_only_inside_allow_networks() -> None:
    loopback = [IPv4Network("127.0.0.1/32")]
    target = await check_webhook_url("http://127.0.0.1:8123/hook", allow_networks=loopback)
    assert target == ResolvedTarget("http://127.0.0.1:8123/hook", "127.0.0.1", 8123, ("127.0.0.1",))
    with pytest.raises(UnsafeWebhookUrl, match="loopback"):
        await check_webhook_url("http://127.0.0.1:8123/hook", allow_networks=[])
    with pytest.raises(UnsafeWebhookUrl, match=r"loopback address 127\.0\.0\.2"):
        await check_webhook_url("http://127.0.0.2/", allow_networks=loopback)
    with pytest.raises(UnsafeWebhookUrl, match=r"loopback address 127\.0\.0\.1"):
        await check_webhook_url("http://127.0.0.1/", allow_networks=[IPv4Network("10.0.0.0/8")])
    with pytest.raises(UnsafeWebhookUrl, match="loopback address ::1"):
        await check_webhook_url(
            "https://localhost/", allow_networks=loopback, resolver=StubResolver(NAMES)
        )
    both: list[IPv4Network | IPv6Network] = [*loopback, IPv6Network("::1/128")]
    target = await check_webhook_url(
        "http://localhost:9000/", allow_networks=both, resolver=StubResolver(NAMES)
    )
    assert target.addresses == ("127.0.0.1", "::1")
    mapped = await check_webhook_url("http://[::ffff:127.0.0.1]/", allow_networks=loopback)
    assert mapped.addresses == ("::ffff:7f00:1",)


async def test_http_to_a_public_address_needs_https() -> None:
    with pytest.raises(UnsafeWebhookUrl, match="must use https"):
        await check_webhook_url(
            "http://hooks.example.com/", allow_networks=[], resolver=StubResolver(NAMES)
        )


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("https://hooks.example.com/sniper", (PUBLIC_V4,)),
        ("https://HOOKS.example.com:8443/x?y=1", (PUBLIC_V4,)),
        ("https://v6.example.com/", ("2606:4700:4700::1111",)),
        ("https://8.8.8.8/", ("8.8.8.8",)),
        ("https://[2606:4700::1111]/", ("2606:4700::1111",)),
        ("https://[::ffff:8.8.8.8]/", ("::ffff:808:808",)),
        ("https://[64:ff9b::8.8.8.8]/", ("64:ff9b::808:808",)),
        ("https://[2002:808:808::1]/", ("2002:808:808::1",)),
    ],
)
async def test_public_https_targets_are_allowed(url: str, addresses: tuple[str, ...]) -> None:
    resolver = StubResolver(NAMES)
    target = await check_webhook_url(url, allow_networks=[], resolver=resolver)
    assert target.addresses == addresses
    assert target.url == url
    assert target.port in (443, 8443)
    assert len(resolver.lookups) == (0 if ip_address_literal(target.host) else 1)


def ip_address_literal(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


async def test_resolves_once_with_host_and_port() -> None:
    resolver = StubResolver(NAMES)
    target = await check_webhook_url(
        "https://Hooks.Example.com:8443/a", allow_networks=[], resolver=resolver
    )
    assert (target.host, target.port) == ("hooks.example.com", 8443)
    assert resolver.lookups == [("hooks.example.com", 8443)]


async def test_default_resolver_parses_numeric_loopback_locally() -> None:
    assert await default_resolver("127.0.0.1", 80) == ["127.0.0.1"]


def test_is_ip_host_matches_what_the_guard_treats_as_an_address() -> None:
    for host in ["127.1", "2130706433", "0x7f000001", "::1", "10.0.0.1.", "hooks.example.123"]:
        assert is_ip_host(host), host
    for host in ["hooks.example.com", "localhost", "receiver.test", "1a.example"]:
        assert not is_ip_host(host), host
