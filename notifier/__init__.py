"""Notifications: what a reached ladder rung says (Thai and English), where it goes
(the contacts directory), the outbox it waits in, and the dispatcher that delivers it
through log, e-mail, webhook or LINE channels with retries and backoff."""

from plancycle.notifier.channels import (
    DEFAULT_SENDER,
    Channel,
    DeliveryError,
    EmailChannel,
    LineChannel,
    LineSettings,
    LogChannel,
    MemoryChannel,
    NotifierConfigError,
    SmtpSettings,
    WebhookChannel,
    channels_for,
)
from plancycle.notifier.contacts import (
    CHANNELS,
    ContactBook,
    ContactImportError,
    ContactProblem,
    import_contacts_csv,
)
from plancycle.notifier.dispatch import (
    DispatchReport,
    RetryPolicy,
    claim_due,
    dispatch_once,
    dispatch_until_idle,
)
from plancycle.notifier.messages import KINDS, render
from plancycle.notifier.notice import NextRung, Notice
from plancycle.notifier.outbox import enqueue, fallback_address

__all__ = [
    "CHANNELS",
    "DEFAULT_SENDER",
    "KINDS",
    "Channel",
    "ContactBook",
    "ContactImportError",
    "ContactProblem",
    "DeliveryError",
    "DispatchReport",
    "EmailChannel",
    "LineChannel",
    "LineSettings",
    "LogChannel",
    "MemoryChannel",
    "NextRung",
    "Notice",
    "NotifierConfigError",
    "RetryPolicy",
    "SmtpSettings",
    "WebhookChannel",
    "channels_for",
    "claim_due",
    "dispatch_once",
    "dispatch_until_idle",
    "enqueue",
    "fallback_address",
    "import_contacts_csv",
    "render",
]
