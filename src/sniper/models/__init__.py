"""ORM models, one per file. Importing this package registers every table on `Base.metadata`."""

from sniper.models.account import Account
from sniper.models.algorithm_order import AlgorithmOrder
from sniper.models.algorithm_trade import AlgorithmTrade
from sniper.models.api_key import ApiKey
from sniper.models.audit_event import AuditEvent
from sniper.models.backtest import Backtest
from sniper.models.cusip_map import CusipMap
from sniper.models.detection import Detection
from sniper.models.filing import Filing
from sniper.models.filing_job import FilingJob
from sniper.models.form_13f_holding import Form13FHolding
from sniper.models.idempotency_key import IdempotencyKey
from sniper.models.ledger import LedgerEntry
from sniper.models.push_event import PushEvent
from sniper.models.service_clock import ServiceClock
from sniper.models.target import Target
from sniper.models.trading_algorithm import TradingAlgorithm
from sniper.models.trading_client_control import TradingClientControl
from sniper.models.trading_control_audit import TradingControlAudit
from sniper.models.trading_system_control import TradingSystemControl
from sniper.models.webhook_attempt import WebhookAttempt
from sniper.models.webhook_delivery import WebhookDelivery
from sniper.models.webhook_endpoint import WebhookEndpoint

__all__ = [
    "Account",
    "AlgorithmOrder",
    "AlgorithmTrade",
    "ApiKey",
    "AuditEvent",
    "Backtest",
    "CusipMap",
    "Detection",
    "Filing",
    "FilingJob",
    "Form13FHolding",
    "IdempotencyKey",
    "LedgerEntry",
    "PushEvent",
    "ServiceClock",
    "Target",
    "TradingAlgorithm",
    "TradingClientControl",
    "TradingControlAudit",
    "TradingSystemControl",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
