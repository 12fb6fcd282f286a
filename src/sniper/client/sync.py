"""`Client`: the synchronous twin of `AsyncClient` (same methods, same errors) over
`httpx.Client`; its `stream()` runs the async stream on a private event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from sniper.client import calls, models
from sniper.client.calls import AlgorithmCommand, Call, TradingCommand
from sniper.client.errors import NotFoundError, SniperConnectionError
from sniper.client.stream import Backoff, events
from sniper.client.transport import DEFAULT_TIMEOUT, Connection, request_args, result

T = TypeVar("T")
PAGE = 200


class Client:
    """``with Client("http://127.0.0.1:8000", api_key) as sniper: ...``.

    Every method raises `SniperAPIError` subclasses for error answers and
    `SniperConnectionError` when the server cannot be reached. `transport` is for tests and
    custom networking (an `httpx.BaseTransport`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.connection = Connection(base_url, api_key, timeout)
        self._http = httpx.Client(
            base_url=base_url,
            headers=self.connection.headers(),
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, call: Call[T]) -> T:
        """Send one `Call` and parse its answer (the typed methods all end here)."""
        try:
            response = self._http.request(call.method, call.path, **request_args(call))
        except httpx.TransportError as exc:
            raise SniperConnectionError(f"{call.method} {call.path}: {exc!r}") from exc
        return result(call, response)

    # Targets.
    def create_target(
        self,
        ticker: str,
        *,
        duration_minutes: int | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        form_types: list[str] | None = None,
        webhook_url: str | None = None,
        idempotency_key: str | None = None,
    ) -> models.Target:
        """Watch `ticker` for a filing; times are ISO 8601 (default: now, for 60 minutes)."""
        fields = {
            "ticker": ticker,
            "duration_minutes": duration_minutes,
            "start_time": start_time,
            "end_time": end_time,
            "form_types": form_types,
            "webhook_url": webhook_url,
        }
        return self.send(calls.create_target(fields, idempotency_key))

    def list_targets(
        self,
        *,
        status: str | None = None,
        ticker: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> models.TargetList:
        """The account's targets, newest first (`limit` 1-200)."""
        params = {"status": status, "ticker": ticker, "limit": limit, "offset": offset}
        return self.send(calls.list_targets(params))

    def get_target(self, target_id: str) -> models.Target:
        """One target by id (read from the listing); `NotFoundError` when none."""
        offset = 0
        while True:
            page = self.list_targets(limit=PAGE, offset=offset)
            for target in page.targets:
                if target.target_id == target_id:
                    return target
            offset += PAGE
            if offset >= page.meta.total:
                raise NotFoundError(404, "NOT_FOUND", f"no target {target_id!r}")

    def stop_target(self, target_id: str) -> models.StopResult:
        return self.send(calls.stop_target(target_id))

    # Account.
    def balance(self) -> models.Balance:
        return self.send(calls.balance())

    def usage(self, days: int | None = None) -> models.Usage:
        return self.send(calls.usage(days))

    def transactions(self, limit: int | None = None) -> models.Transactions:
        return self.send(calls.transactions(limit))

    def user(self) -> models.UserProfile:
        return self.send(calls.user())

    def update_user(self, **fields: Any) -> models.UserUpdated:
        """Change `webhook_url`, `notify_email`, `notify_browser` or `odds_format`."""
        return self.send(calls.update_user(fields))

    # Webhooks.
    def deliveries(
        self,
        *,
        target_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> models.DeliveryList:
        params = {"target_id": target_id, "status": status, "limit": limit, "offset": offset}
        return self.send(calls.deliveries(params))

    def redeliver(self, delivery_id: str) -> models.Delivery:
        return self.send(calls.redeliver(delivery_id))

    def webhook_secret(self) -> models.SecretInfo:
        return self.send(calls.webhook_secret())

    def rotate_webhook_secret(self) -> models.RotatedSecret:
        return self.send(calls.rotate_webhook_secret())

    def test_webhook(self, url: str | None = None) -> models.WebhookTestResult:
        return self.send(calls.test_webhook(url))

    # Trading control.
    def trading_status(self) -> models.TradingStatus:
        return self.send(calls.trading_status())

    def trading(
        self, command: TradingCommand, reason: str | None = None
    ) -> models.TradingCommandResult:
        """`pause`, `stop`, `resume` or `start` this account's trading."""
        return self.send(calls.trading_command(command, reason))

    def trading_audit(
        self, *, limit: int | None = None, before_id: int | None = None
    ) -> models.AuditPage:
        return self.send(calls.trading_audit(limit, before_id))

    # Algorithms and backtests.
    def create_algorithm(self, config: BaseModel | Mapping[str, Any]) -> models.AlgorithmOut:
        """Create an algorithm from an x3algo configuration (camelCase keys or a model)."""
        return self.send(calls.create_algorithm(config))

    def list_algorithms(self, **params: Any) -> models.AlgorithmList:
        """`page`, `limit`, `status`, `strategyType`, `sort`, `order`."""
        return self.send(calls.list_algorithms(params))

    def get_algorithm(self, algorithm_id: str) -> models.AlgorithmOut:
        return self.send(calls.get_algorithm(algorithm_id))

    def update_algorithm(
        self, algorithm_id: str, patch: BaseModel | Mapping[str, Any]
    ) -> models.AlgorithmOut:
        return self.send(calls.update_algorithm(algorithm_id, patch))

    def delete_algorithm(self, algorithm_id: str) -> None:
        self.send(calls.delete_algorithm(algorithm_id))

    def algorithm(self, algorithm_id: str, command: AlgorithmCommand) -> models.CommandResult:
        """`start`, `stop`, `pause` or `resume` an algorithm."""
        return self.send(calls.algorithm_command(algorithm_id, command))

    def create_backtest(
        self, algorithm_id: str, start_date: str, end_date: str, initial_balance: float
    ) -> models.BacktestOut:
        """Queue a backtest over `[start_date, end_date]` (YYYY-MM-DD)."""
        fields = {
            "algorithmId": algorithm_id,
            "startDate": start_date,
            "endDate": end_date,
            "initialBalance": initial_balance,
        }
        return self.send(calls.create_backtest(fields))

    def list_backtests(self, **params: Any) -> models.BacktestList:
        """`page`, `limit`, `algorithmId`, `status`, `sort`, `order`."""
        return self.send(calls.list_backtests(params))

    def get_backtest(self, backtest_id: str) -> models.BacktestOut:
        return self.send(calls.get_backtest(backtest_id))

    # Events.
    def stream(
        self, last_event_id: int | None = None, *, backoff: Backoff | None = None
    ) -> Iterator[models.Event]:
        """`AsyncClient.stream` for synchronous code: the same events, once each, in order.
        Not from inside a running event loop (use `AsyncClient` there). Between two `next()`
        calls the socket is not read; a long pause may cost a reconnect, never an event."""
        loop = asyncio.new_event_loop()
        source = events(self.connection, last_event_id=last_event_id, backoff=backoff)
        try:
            while True:
                yield loop.run_until_complete(anext(source))
        finally:
            loop.run_until_complete(source.aclose())
            loop.close()
