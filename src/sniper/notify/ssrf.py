"""SSRF guard for webhook URLs (DESIGN.md "Notifications", RELIABILITY.md "Things that bite").

`check_webhook_url` parses a URL with httpx's own parser (the one the sender uses), resolves the
host once and refuses it if ANY address is in the explicit block list below, unless that address
lies in ``allow_networks`` (``SNIPER_WEBHOOK_ALLOW_NETWORKS``). Numeric host forms that
``getaddrinfo`` would accept (``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``) are
normalised here with inet_aton rules, so they are checked without any resolver. IPv6 forms that
wrap an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by the IPv4 inside.
``ipaddress.is_global`` is not used: on 3.11 it is True for some multicast, NAT64 and 6to4 forms.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
AllowNetwork = IPv4Network | IPv6Network
IPAddress = IPv4Address | IPv6Address

_V4_BLOCKS = tuple(
    (IPv4Network(net), kind)
    for net, kind in (
        ("169.254.169.254/32", "a cloud metadata"),
        ("0.0.0.0/8", "an unspecified"),
        ("127.0.0.0/8", "a loopback"),
        ("10.0.0.0/8", "a private"),
        ("172.16.0.0/12", "a private"),
        ("192.168.0.0/16", "a private"),
        ("100.64.0.0/10", "a shared (CGNAT)"),
        ("169.254.0.0/16", "a link-local"),
        ("192.0.0.0/24", "a reserved"),
        ("192.0.2.0/24", "a documentation"),
        ("198.51.100.0/24", "a documentation"),
        ("203.0.113.0/24", "a documentation"),
        ("192.88.99.0/24", "a reserved"),
        ("198.18.0.0/15", "a benchmarking"),
        ("224.0.0.0/4", "a multicast"),
        ("240.0.0.0/4", "a reserved"),
    )
)
_V6_BLOCKS = tuple(
    (IPv6Network(net), kind)
    for net, kind in (
        ("fd00:ec2::254/128", "a cloud metadata"),
        ("::/128", "an unspecified"),
        ("::1/128", "a loopback"),
        ("64:ff9b:1::/48", "a local-use NAT64"),
        ("fc00::/7", "a private"),
        ("fe80::/10", "a link-local"),
        ("fec0::/10", "a site-local"),
        ("ff00::/8", "a multicast"),
        ("2001:db8::/32", "a documentation"),
        ("3fff::/20", "a documentation"),
        ("2001:2::/48", "a benchmarking"),
        ("2001:10::/28", "a reserved"),
        ("2001:20::/28", "a reserved"),
        ("100::/64", "a discard-only"),
    )
)
_NAT64 = IPv6Network("64:ff9b::/96")
_V4_COMPATIBLE = IPv6Network("::/96")
_GLOBAL_UNICAST = IPv6Network("2000::/3")
_HOSTNAME = re.compile(r"(?=.{1,253}\.?$)([a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}\.?", re.ASCII)
_NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+", re.ASCII)


class UnsafeWebhookUrl(ValueError):
    """A webhook URL is refused; ``str(exc)`` names the reason ("webhook_url must use https")."""


class UnresolvableWebhookUrl(UnsafeWebhookUrl):
    """The URL's host did not resolve (possibly transient: a sender may retry later)."""


@dataclass(frozen=True)
class ResolvedTarget:
    """A vetted URL: `host` is the ASCII host (IPv6 without brackets), `port` the TCP port and
    `addresses` every resolved IP string (all safe or allowed), in resolver order."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


async def default_resolver(host: str, port: int) -> list[str]:
    """Resolve `host` once with the loop's ``getaddrinfo`` (TCP); raises ``OSError`` on failure."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_ip_host(host: str) -> bool:
    """True if `host` (lower-case, no brackets) is an IP literal rather than a DNS name: an IPv6
    literal, or a name whose last label is a number (treated as IPv4, per WHATWG URL rules)."""
    return ":" in host or bool(_NUMBER.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]))


async def check_webhook_url(
    url: str, *, allow_networks: Sequence[AllowNetwork], resolver: Resolver | None = None
) -> ResolvedTarget:
    """Vet `url` for delivery: https (http only if every address is allowed), no userinfo, a host,
    resolved once; no address may be in the block list unless inside `allow_networks`.

    Raises `UnsafeWebhookUrl` naming the reason, or `UnresolvableWebhookUrl` if the lookup fails.
    """
    scheme, host, port = _split(url)
    addresses = await _resolve(host, port, resolver or default_resolver)
    for address in addresses:
        if not _allowed(address, allow_networks):
            reason = _forbidden(address)
            if reason is not None:
                raise UnsafeWebhookUrl(f"webhook_url resolves to {reason}")
    if scheme != "https" and not all(_allowed(a, allow_networks) for a in addresses):
        raise UnsafeWebhookUrl("webhook_url must use https")
    return ResolvedTarget(url, host, port, tuple(str(a) for a in addresses))


def _split(url: str) -> tuple[str, str, int]:
    """Parse `url` the way httpx will send it; return (scheme, ASCII host, port)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeWebhookUrl("webhook_url is not a valid URL") from exc
    if len(url) > 2048:
        raise UnsafeWebhookUrl("webhook_url is longer than 2048 characters")
    if parsed.scheme not in ("https", "http"):
        raise UnsafeWebhookUrl("webhook_url must use https")
    if parsed.userinfo:
        raise UnsafeWebhookUrl("webhook_url must not contain credentials")
    host = parsed.raw_host.decode("ascii", errors="replace").lower()
    if not host:
        raise UnsafeWebhookUrl("webhook_url must have a host")
    port = parsed.port if parsed.port is not None else (443 if parsed.scheme == "https" else 80)
    if not 1 <= port <= 65535:
        raise UnsafeWebhookUrl("webhook_url port must be 1-65535")
    return parsed.scheme, host, port


async def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    """IP literals and numeric IPv4 forms are parsed here; names go to `resolver` once."""
    if ":" in host:
        try:
            return [ip_address(host.replace("%25", "%"))]
        except ValueError as exc:
            raise UnsafeWebhookUrl("webhook_url host is not a valid IPv6 address") from exc
    if not _HOSTNAME.fullmatch(host):
        raise UnsafeWebhookUrl("webhook_url host is not a valid host name")
    if is_ip_host(host):
        return [_inet_aton(host.rstrip(".").split("."), host)]
    try:
        found = await resolver(host, port)
    except OSError as exc:
        raise UnresolvableWebhookUrl(f"webhook_url host {host} does not resolve") from exc
    if not found:
        raise UnresolvableWebhookUrl(f"webhook_url host {host} does not resolve")
    try:
        return list(dict.fromkeys(ip_address(a) for a in found))
    except ValueError as exc:
        raise UnsafeWebhookUrl(f"webhook_url host {host} resolved to a non-IP") from exc


def _inet_aton(labels: list[str], host: str) -> IPv4Address:
    """IPv4 from 1-4 decimal/octal/hex parts (inet_aton rules, as getaddrinfo accepts them)."""
    invalid = UnsafeWebhookUrl(f"webhook_url host {host} is not a valid IPv4 address")
    if len(labels) > 4 or not all(_NUMBER.fullmatch(label) for label in labels):
        raise invalid
    try:
        values = [
            int(p[2:] or "0", 16) if p.startswith("0x") else int(p, 8 if p[0] == "0" else 10)
            for p in labels
        ]
    except ValueError as exc:
        raise invalid from exc
    head, last = values[:-1], values[-1]
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise invalid
    return IPv4Address(sum(v << (24 - 8 * i) for i, v in enumerate(head)) + last)


def _embedded_v4(address: IPv6Address) -> tuple[IPv4Address, ...]:
    """The IPv4 addresses wrapped by mapped, compatible, NAT64, 6to4 and Teredo forms."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in _NAT64 or address in _V4_COMPATIBLE:
        return (IPv4Address(int(address) & 0xFFFFFFFF),)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    return address.teredo or ()


def _forbidden(address: IPAddress) -> str | None:
    """Return "<article> <kind> address <ip>" if `address` is blocked, else None."""
    blocks = _V4_BLOCKS if isinstance(address, IPv4Address) else _V6_BLOCKS
    for network, kind in blocks:
        if address in network:
            return f"{kind} address {address}"
    if isinstance(address, IPv6Address):
        for inner in _embedded_v4(address):
            reason = _forbidden(inner)
            if reason is not None:
                return f"{reason} (inside {address})"
        if address not in _GLOBAL_UNICAST and address.ipv4_mapped is None and address not in _NAT64:
            return f"a reserved address {address}"
    return None


def _allowed(address: IPAddress, allow_networks: Sequence[AllowNetwork]) -> bool:
    """True if `address` (or the IPv4 inside an IPv4-mapped form) is in an allowed network."""
    candidates: list[IPAddress] = [address]
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    return any(a in network for a in candidates for network in allow_networks)
