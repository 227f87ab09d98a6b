"""The initial snapshot of a long connection: has every charge point reported yet?"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from enum import StrEnum

from .exceptions import BlueCurrentError


class Part(StrEnum):
    """What the snapshot needs of each charge point."""

    STATUS = "status"
    SETTINGS = "settings"


class Snapshot:
    """Tracks one connection's snapshot: every listed charge point's status and settings."""

    def __init__(self) -> None:
        """Start before the charge point list is known."""
        self._expected: frozenset[str] | None = None
        self._arrived: set[tuple[Part, str]] = set()
        # What the listed charge points have yet to report: kept, not recounted per arrival
        # (a fleet's snapshot would cost its size squared).
        self._missing: set[tuple[Part, str]] = set()
        self._settled = asyncio.Event()
        self._error: BlueCurrentError | None = None

    @property
    def complete(self) -> bool:
        """Whether every listed charge point has reported its status and settings."""
        return self._settled.is_set() and self._error is None

    def expect(self, evse_ids: Iterable[str]) -> None:
        """The charge point list (re)arrived: these are the charge points to wait for."""
        self._expected = frozenset(evse_ids)
        self._missing = {
            (part, evse_id) for evse_id in self._expected for part in Part
        } - self._arrived
        self._check()

    def arrived(self, part: Part, evse_id: str) -> None:
        """A charge point reported ``part`` (or the service refused to: nothing will come)."""
        self._arrived.add((part, evse_id))
        self._missing.discard((part, evse_id))
        self._check()

    def fail(self, error: BlueCurrentError) -> None:
        """The connection ended first: waiters get ``error`` (a complete snapshot stays so)."""
        if not self._settled.is_set():
            self._error = error
            self._settled.set()

    async def wait(self) -> None:
        """Return once complete; raise the connection's error if it ended first."""
        await self._settled.wait()
        if self._error is not None:
            raise self._error

    def _check(self) -> None:
        if self._settled.is_set() or self._expected is None:
            return
        if not self._missing:
            self._settled.set()
