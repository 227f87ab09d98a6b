"""Requests sent on the long connection that still wait for their answer.

The service's answers carry no request id: an answer is matched to the oldest waiting request
it can belong to (same answer object, same charge point), and an ``ERROR`` object, which names
neither, to the oldest waiting request of all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import time

from .parsing import ServerMessage
from .requests import Request


@dataclass(slots=True, eq=False)
class PendingRequest:
    """A request sent and not yet answered."""

    request: Request
    # When the answer stops being worth waiting for (time.monotonic()); an expired request no
    # longer claims answers or ERRORs.
    deadline: float
    # Set when someone awaits the answer; requests nobody awaits (the snapshot's) have none.
    answer: asyncio.Future[object] | None = field(default=None)

    def answered_by(self, message: ServerMessage, *, refused: bool) -> bool:
        """Whether ``message`` is the answer of this request (or, when ``refused``, a refusal).

        ``RECEIVED_<command>`` answers only the requests that list it; any other request it
        concerns only when it refuses.
        """
        request = self.request
        name = message.name
        if name not in request.answered_by and not (
            refused and name == f"RECEIVED_{request.command}"
        ):
            return False
        # An answer that names no charge point (GRID_STATUS) is the oldest such request's.
        return message.evse_id is None or message.evse_id == request.evse_id


class PendingRequests:
    """The waiting requests of one connection, oldest first."""

    def __init__(self) -> None:
        """Start with none waiting."""
        self._waiting: list[PendingRequest] = []
        # Expired since the last ``take_expired``: kept for it, whoever pruned them.
        self._expired: list[PendingRequest] = []
        # No request expires before this: a resync sends hundreds, pruning must not scan them
        # for every answer.
        self._next_deadline = float("inf")

    def __len__(self) -> int:
        """How many requests wait (expired ones included until they are pruned)."""
        return len(self._waiting)

    def add(self, request: Request, timeout: float, *, awaited: bool) -> PendingRequest:
        """Record ``request`` as sent; give it a future when its sender awaits the answer."""
        answer = asyncio.get_running_loop().create_future() if awaited else None
        pending = PendingRequest(request, time.monotonic() + timeout, answer)
        self._waiting.append(pending)
        self._next_deadline = min(self._next_deadline, pending.deadline)
        return pending

    def discard(self, pending: PendingRequest) -> None:
        """Stop waiting for ``pending`` (answered, timed out or abandoned)."""
        try:
            self._waiting.remove(pending)
        except ValueError:
            return

    def take_answered(self, message: ServerMessage, *, refused: bool) -> PendingRequest | None:
        """Remove and return the oldest live request ``message`` answers, if any."""
        self._prune()
        for pending in self._waiting:
            if pending.answered_by(message, refused=refused):
                self._waiting.remove(pending)
                return pending
        return None

    def take_oldest(self) -> PendingRequest | None:
        """Remove and return the oldest live request (the one an ``ERROR`` belongs to)."""
        self._prune()
        return self._waiting.pop(0) if self._waiting else None

    def take_expired(self) -> list[PendingRequest]:
        """Remove and return the requests whose answer stopped being worth waiting for.

        Including those an answer's pruning already removed: a busy connection prunes on
        every answer, and a snapshot request expired there must still be chased.
        """
        self._prune()
        expired, self._expired = self._expired, []
        return expired

    def fail_all(self, error: Callable[[Request], Exception]) -> None:
        """The connection ended: every awaited request fails with the error made for it."""
        waiting, self._waiting = self._waiting, []
        self._expired.clear()
        for pending in waiting:
            if pending.answer is not None and not pending.answer.done():
                pending.answer.set_exception(error(pending.request))

    def _prune(self) -> None:
        now = time.monotonic()
        if now <= self._next_deadline:
            return
        live: list[PendingRequest] = []
        for pending in self._waiting:
            (live if pending.deadline >= now else self._expired).append(pending)
        self._waiting = live
        self._next_deadline = min(
            (pending.deadline for pending in self._waiting), default=float("inf")
        )
