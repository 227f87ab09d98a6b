"""Errors raised by the Blue Current client.

Every error the client raises derives from ``BlueCurrentError``. None of them ever carries the
API token or the session token in its message or arguments.
"""

from __future__ import annotations

from datetime import datetime


class BlueCurrentError(Exception):
    """Base class of every error this package raises."""


class ParseError(BlueCurrentError):
    """A server message could not be turned into a model (the only error the parsers raise)."""


class BlueCurrentConnectionError(BlueCurrentError):
    """The service could not be reached, or the connection dropped: worth retrying soon."""


class InvalidApiTokenError(BlueCurrentError):
    """The service refused the API token (or the session token derived from it)."""


class RequestLimitReachedError(BlueCurrentError):
    """The account's daily request budget is spent; retrying before ``reset_at`` is useless."""

    def __init__(self, reset_at: datetime) -> None:
        super().__init__(f"Request limit reached; it resets at {reset_at.isoformat()}")
        self.reset_at = reset_at


class AlreadyConnectedError(BlueCurrentError):
    """Another client from this address holds the account's one allowed connection."""


class NotConnectedError(BlueCurrentError):
    """A request needs the long-lived connection, and it is not open."""


class CommandError(BlueCurrentError):
    """A command did not do what was asked."""

    def __init__(self, command: str, evse_id: str | None, reason: str) -> None:
        target = f" for {evse_id}" if evse_id else ""
        super().__init__(f"{command}{target}: {reason}")
        self.command = command
        self.evse_id = evse_id
        self.reason = reason


class CommandRefusedError(CommandError):
    """The service answered the command with a failure (an ``error`` text or an ``ERROR``).

    ``kind`` names the refusals the service has words for: ``"rejected"`` (the charge point
    said no), ``"timeout"`` (the charge point did not answer the service), else ``"other"``.
    """

    @property
    def kind(self) -> str:
        """``rejected``, ``timeout`` or ``other``, from the service's reason."""
        word = self.reason.strip().upper()
        if word == "REJECTED":
            return "rejected"
        if word == "TIMEOUT":
            return "timeout"
        return "other"


class NoActiveProfileError(CommandError):
    """Boost needs a smart-charging profile that is on; none is."""


class CommandTimeoutError(CommandError):
    """No acknowledgement arrived in time: the outcome is unknown."""
