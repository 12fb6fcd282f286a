"""ORM models, one per file. Importing this package registers every table on `Base.metadata`."""

from sniper.models.account import Account
from sniper.models.api_key import ApiKey
from sniper.models.audit_event import AuditEvent
from sniper.models.detection import Detection
from sniper.models.ledger import LedgerEntry
from sniper.models.target import Target
from sniper.models.webhook_delivery import WebhookDelivery

__all__ = [
    "Account",
    "ApiKey",
    "AuditEvent",
    "Detection",
    "LedgerEntry",
    "Target",
    "WebhookDelivery",
]
