"""Each API operation as data: `Call(method, path, params, body, parse)`, shared by the sync
`Client` and the `AsyncClient` (each only sends it and parses the answer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from sniper.client import models

T = TypeVar("T")
TradingCommand = Literal["pause", "stop", "resume", "start"]
AlgorithmCommand = Literal["start", "stop", "pause", "resume"]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request: `params` with None values left out; `parse` turns the JSON answer (None
    for an empty body) into the result."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def query(self) -> dict[str, Any]:
        return {key: value for key, value in self.params.items() if value is not None}


def _model(kind: type[BaseModel]) -> Callable[[Any], Any]:
    """Parse an answer into `kind`, by field name or alias: the server schemas read ORM
    attributes through validation aliases (`cause`) but answer with field names (`endpoint`)."""
    return lambda body: kind.model_validate(body, by_alias=True, by_name=True)


def _enveloped(kind: type[BaseModel]) -> Callable[[Any], Any]:
    """Parse the `data` of a `{"status":"success","data":..}` envelope."""
    return lambda body: _model(kind)(body["data"])


def _none(_body: Any) -> None:
    return None


def _dump(body: BaseModel | Mapping[str, Any]) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return dict(body)


def _id(value: str) -> str:
    return quote(value, safe="")


# Targets (`/api/v1/sniper`).
def create_target(fields: Mapping[str, Any], idempotency_key: str | None) -> Call[models.Target]:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    body = {key: value for key, value in fields.items() if value is not None}
    return Call("POST", "/api/v1/sniper/targets", _model(models.Target), body=body, headers=headers)


def list_targets(params: Mapping[str, Any]) -> Call[models.TargetList]:
    return Call("GET", "/api/v1/sniper/targets", _model(models.TargetList), params=params)


def stop_target(target_id: str) -> Call[models.StopResult]:
    path = f"/api/v1/sniper/targets/{_id(target_id)}/stop"
    return Call("POST", path, _model(models.StopResult))


# Account (`/api/v1/account`, `/api/v1/user/`).
def balance() -> Call[models.Balance]:
    return Call("GET", "/api/v1/account/balance", _enveloped(models.Balance))


def usage(days: int | None) -> Call[models.Usage]:
    params = {"days": days}
    return Call("GET", "/api/v1/account/usage", _enveloped(models.Usage), params=params)


def transactions(limit: int | None) -> Call[models.Transactions]:
    params = {"limit": limit}
    return Call(
        "GET", "/api/v1/account/transactions", _enveloped(models.Transactions), params=params
    )


def user() -> Call[models.UserProfile]:
    return Call("GET", "/api/v1/user/", _model(models.UserProfile))


def update_user(fields: Mapping[str, Any]) -> Call[models.UserUpdated]:
    return Call("PUT", "/api/v1/user/", _model(models.UserUpdated), body=dict(fields))


# Webhooks (`/api/v1/webhooks`).
def deliveries(params: Mapping[str, Any]) -> Call[models.DeliveryList]:
    path = "/api/v1/webhooks/deliveries"
    return Call("GET", path, _model(models.DeliveryList), params=params)


def redeliver(delivery_id: str) -> Call[models.Delivery]:
    path = f"/api/v1/webhooks/deliveries/{_id(delivery_id)}/redeliver"
    return Call("POST", path, _model(models.Delivery))


def webhook_secret() -> Call[models.SecretInfo]:
    return Call("GET", "/api/v1/webhooks/secret", _model(models.SecretInfo))


def rotate_webhook_secret() -> Call[models.RotatedSecret]:
    return Call("POST", "/api/v1/webhooks/secret", _model(models.RotatedSecret))


def test_webhook(url: str | None) -> Call[models.WebhookTestResult]:
    body = {"url": url} if url else {}
    return Call("POST", "/api/v1/webhooks/test", _model(models.WebhookTestResult), body=body)


# Trading control (`/api/v1/trading`).
def trading_status() -> Call[models.TradingStatus]:
    return Call("GET", "/api/v1/trading/status", _model(models.TradingStatus))


def trading_command(
    command: TradingCommand, reason: str | None
) -> Call[models.TradingCommandResult]:
    body = {"reason": reason} if reason else None
    path = f"/api/v1/trading/{command}"
    return Call("POST", path, _model(models.TradingCommandResult), body=body)


def trading_audit(limit: int | None, before_id: int | None) -> Call[models.AuditPage]:
    params = {"limit": limit, "before_id": before_id}
    return Call("GET", "/api/v1/trading/audit", _model(models.AuditPage), params=params)


# Algorithms (`/api/trading/algorithms`) and backtests (`/api/backtests`).
ALGORITHMS = "/api/trading/algorithms"


def create_algorithm(config: BaseModel | Mapping[str, Any]) -> Call[models.AlgorithmOut]:
    return Call("POST", ALGORITHMS, _model(models.AlgorithmOut), body=_dump(config))


def list_algorithms(params: Mapping[str, Any]) -> Call[models.AlgorithmList]:
    return Call("GET", ALGORITHMS, _model(models.AlgorithmList), params=params)


def get_algorithm(algorithm_id: str) -> Call[models.AlgorithmOut]:
    return Call("GET", f"{ALGORITHMS}/{_id(algorithm_id)}", _model(models.AlgorithmOut))


def update_algorithm(
    algorithm_id: str, patch: BaseModel | Mapping[str, Any]
) -> Call[models.AlgorithmOut]:
    path = f"{ALGORITHMS}/{_id(algorithm_id)}"
    return Call("PATCH", path, _model(models.AlgorithmOut), body=_dump(patch))


def delete_algorithm(algorithm_id: str) -> Call[None]:
    return Call("DELETE", f"{ALGORITHMS}/{_id(algorithm_id)}", _none)


def algorithm_command(algorithm_id: str, command: AlgorithmCommand) -> Call[models.CommandResult]:
    path = f"{ALGORITHMS}/{_id(algorithm_id)}/{command}"
    return Call("POST", path, _model(models.CommandResult))


def create_backtest(fields: Mapping[str, Any]) -> Call[models.BacktestOut]:
    return Call("POST", "/api/backtests", _model(models.BacktestOut), body=dict(fields))


def list_backtests(params: Mapping[str, Any]) -> Call[models.BacktestList]:
    return Call("GET", "/api/backtests", _model(models.BacktestList), params=params)


def get_backtest(backtest_id: str) -> Call[models.BacktestOut]:
    return Call("GET", f"/api/backtests/{_id(backtest_id)}", _model(models.BacktestOut))
