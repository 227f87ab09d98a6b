"""The websocket server: the Blue Current home-automation endpoint, its rules and its faults."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
import json
import logging
from pathlib import Path
import time
from typing import IO, Any, Literal

from aiohttp import WSCloseCode, WSMsgType, web

from . import wire
from .commands import CommandContext, Reply, Verdict, handle_command
from .model import AMSTERDAM, SimAccount, SimChargePoint, simulated_now

_LOGGER = logging.getLogger(__name__)
PATH = "/haserver"
CLOSE_REQUEST_LIMIT = 4001  # [V]

DropMode = Literal["clean", "abrupt", "limit"]


@dataclass(frozen=True, slots=True)
class Frame:
    """One recorded frame: ``in`` from a client, ``out`` to it."""

    direction: Literal["in", "out"]
    at: float
    data: str
    peer: str = ""


@dataclass(eq=False)
class _Client:
    """One websocket connection and what the server knows of it."""

    ws: web.WebSocketResponse
    peer: str
    account: SimAccount | None = None
    long_lived: bool = False  # sent HELLO
    sent: int = 0


@dataclass(eq=False)
class _PendingVerdict:
    """A charge point's answer on its way: delivered when ``task`` wakes or on release."""

    client: _Client
    account: SimAccount
    verdict: Verdict
    task: asyncio.Task[None] | None = None


@dataclass
class Faults:
    """Misbehaviour the next requests or upgrades will meet."""

    reject_upgrades: list[str] = field(default_factory=list)
    fail_next: dict[str, list[str]] = field(default_factory=dict)
    ignore_next: Counter[str] = field(default_factory=Counter)
    stalled: bool = False


class Simulator:
    """A Blue Current cloud on 127.0.0.1: accounts, charge points and the websocket endpoint."""

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        clock: bool = True,
        record_path: str | Path | None = None,
        one_connection_per_address: bool = True,
        request_budget: int | None = None,
        tick_seconds: float = 1.0,
        shapes: wire.Shapes = "recorded",
        verdict_delay: float = 0.0,
    ) -> None:
        """Configure; nothing listens until ``start``.

        ``time_scale`` simulated seconds pass per real second while ``clock`` runs;
        ``advance`` moves time deterministically either way. ``shapes``: ``"recorded"`` (the
        real service's, as public sources show them) or ``"guessed"`` (this simulator's first
        guesses). ``verdict_delay``: real seconds before a charge point's verdict
        (``STATUS_SOFT_RESET`` ..., a block's activity change); the real one takes about 30 s
        [R]. ``release_verdicts`` delivers the waiting ones at once.
        """
        if shapes not in wire.SHAPES:
            raise ValueError(f"shapes must be one of {wire.SHAPES}, not {shapes!r}")
        self.shapes: wire.Shapes = shapes
        self.verdict_delay = verdict_delay
        self.time_scale = time_scale
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.one_connection_per_address = one_connection_per_address
        self.request_budget = request_budget
        self.requests_served = 0
        self.connection_attempts = 0
        self.accounts: dict[str, SimAccount] = {}
        self.recording: list[Frame] = []
        self.faults = Faults()
        self._record_file: IO[str] | None = (
            Path(record_path).open("a", encoding="utf-8") if record_path else None  # noqa: SIM115
        )
        self._clients: set[_Client] = set()
        self._pending: list[_PendingVerdict] = []
        self._last_pushed: dict[tuple[str, str], dict[str, Any]] = {}
        self._started_at = datetime.now(AMSTERDAM)
        self._elapsed = 0.0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._clock_task: asyncio.Task[None] | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # ---------------------------------------------------------------- set-up

    def add_account(
        self,
        token: str = "TOKEN",  # noqa: S107 - a test account's token
        customer_id: str = "C0001",
        email: str = "owner@example.com",
        charge_points: int = 3,
        cards: int = 2,
    ) -> SimAccount:
        """Add an account with ``charge_points`` varied charge points and ``cards`` cards."""
        account = SimAccount(token=token, customer_id=customer_id, email=email)
        for _ in range(charge_points):
            account.add_charge_point()
        for number in range(cards):
            account.add_card(f"Card {number + 1}")
        for charge_point in account.charge_points.values():
            # Owners set their own card as the default, as recorded [R]; without cards the
            # default is the app pseudo-card BCU-APP [D].
            charge_point.default_card = charge_point.preferred_card = next(
                iter(account.cards), None
            )
        self.accounts[token] = account
        return account

    def add_demo_account(self, token: str = "TOKEN") -> SimAccount:  # noqa: S107
        """Three charge points of different models: one charging, one idle, one offline."""
        account = self.add_account(token=token, email="demo@example.com", charge_points=3)
        charging, _idle, offline = account.charge_points.values()
        charging.name = "Driveway"
        charging.plug_in(self.now, demand_kwh=40.0)
        offline.name = "Garage"
        offline.go_offline(self.now)
        return account

    def add_fleet_account(self, token: str = "TOKEN", charge_points: int = 100) -> SimAccount:  # noqa: S107
        """A fleet for benchmarks: every charge point has a vehicle that keeps charging."""
        account = self.add_account(token=token, email="fleet@example.com", charge_points=0)
        for _ in range(charge_points):
            account.add_charge_point().plug_in(self.now, demand_kwh=1_000_000.0)
        return account

    @property
    def now(self) -> datetime:
        """The simulated wall clock."""
        return simulated_now(self._started_at, self._elapsed)

    @property
    def url(self) -> str:
        """Where clients connect."""
        return f"ws://{self.host}:{self.port}{PATH}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 picks a free port); returns the URL."""
        app = web.Application()
        app.router.add_get(PATH, self._handle_upgrade)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        server = self._site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.host, self.port = host, sockets[0].getsockname()[1] if sockets else port
        if self.clock:
            self._clock_task = asyncio.create_task(self._run_clock(), name="simulator-clock")
        return self.url

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._clock_task is not None:
            self._clock_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock_task
            self._clock_task = None
        for pending in self._pending:
            if pending.task is not None:
                pending.task.cancel()
        self._pending.clear()
        for client in list(self._clients):
            await client.ws.close(code=WSCloseCode.GOING_AWAY)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._record_file is not None:
            self._record_file.close()
            self._record_file = None

    # ---------------------------------------------------------------- time

    async def _run_clock(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            await self.advance(self.tick_seconds * self.time_scale)

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, then push what changed."""
        self._elapsed += seconds
        now = self.now
        for account in self.accounts.values():
            for charge_point in account.charge_points.values():
                charge_point.advance(seconds, now)
        await self.push_changes()

    async def push_changes(self) -> None:
        """Push every status, setting and grid current that differs from what was last pushed."""
        now = self.now
        for account in self.accounts.values():
            for charge_point in account.charge_points.values():
                charge_point.update_delay(now)
                await self._push_if_changed(
                    account, "status", charge_point.evse_id, wire.status(charge_point, self.shapes)
                )
                await self._push_if_changed(
                    account,
                    "settings",
                    charge_point.evse_id,
                    wire.settings(charge_point, self.shapes),
                )
            await self._push_if_changed(account, "grid", "", wire.grid_current(account))

    async def _push_if_changed(
        self, account: SimAccount, kind: str, evse_id: str, message: dict[str, Any]
    ) -> None:
        key = (account.token, f"{kind}:{evse_id}")
        if self._last_pushed.get(key) == message:
            return
        self._last_pushed[key] = message
        await self.push(message, account=account)

    def _remember_sent(self, account: SimAccount, message: dict[str, Any]) -> None:
        """A reply counts as pushed: the next push only carries a change."""
        kinds = {"CH_STATUS": "status", "CH_SETTINGS": "settings"}
        kind = kinds.get(str(message.get("object")))
        if kind is not None:
            self._last_pushed[(account.token, f"{kind}:{message['evse_id']}")] = message

    # ---------------------------------------------------------------- connections

    async def _handle_upgrade(self, request: web.Request) -> web.StreamResponse:
        self.connection_attempts += 1
        peer = request.remote or ""
        if reason := self._upgrade_refusal(peer):
            return web.Response(status=403, headers={"x-websocket-reject-reason": reason})
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        client = _Client(ws=ws, peer=peer)
        self._clients.add(client)
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    await self._on_text(client, frame.data)
                elif frame.type == WSMsgType.BINARY:
                    await self._send(client, wire.error(*wire.ERROR_UNKNOWN))
        finally:
            self._clients.discard(client)
        return ws

    def _upgrade_refusal(self, peer: str) -> str | None:
        if self.faults.reject_upgrades:
            return self.faults.reject_upgrades.pop(0)
        if self._budget_spent():
            return "Request limit reached"
        if self.one_connection_per_address and any(
            c.peer == peer and c.long_lived and not c.ws.closed for c in self._clients
        ):
            return "Already connected"
        return None

    def _budget_spent(self) -> bool:
        return self.request_budget is not None and self.requests_served >= self.request_budget

    def reset_request_budget(self) -> None:
        """The daily reset: the budget is whole again."""
        self.requests_served = 0

    async def _on_text(self, client: _Client, text: str) -> None:
        self._record("in", text, client.peer)
        if self.faults.stalled:
            return
        try:
            request = json.loads(text)
        except json.JSONDecodeError:
            await self._send(client, wire.error(*wire.ERROR_UNKNOWN))  # [guess] reply to junk
            return
        if not isinstance(request, dict) or not isinstance(request.get("command"), str):
            await self._send(client, wire.error(*wire.ERROR_UNKNOWN_COMMAND))
            return
        await self._serve(client, request)

    async def _serve(self, client: _Client, request: dict[str, Any]) -> None:
        command: str = request["command"]
        self.requests_served += 1
        if self.request_budget is not None and self.requests_served > self.request_budget:
            await self._send(client, wire.error(*wire.ERROR_REQUEST_LIMIT))
            await client.ws.close(code=CLOSE_REQUEST_LIMIT, message=b"Request limit reached")
            return
        if self.faults.ignore_next[command] > 0:
            self.faults.ignore_next[command] -= 1
            return
        refusal = self._take_refusal(command)
        context = CommandContext(
            accounts=self.accounts,
            account=client.account,
            now=self.now,
            refusal=refusal,
            shapes=self.shapes,
        )
        reply = handle_command(context, request)
        if reply.account is not None:
            client.account = reply.account
        if command == "HELLO" and reply.account is not None:
            client.long_lived = True
        await self._deliver(client, reply)

    def _take_refusal(self, command: str) -> str | None:
        queue = self.faults.fail_next.get(command)
        if queue:
            return queue.pop(0)
        return None

    async def _deliver(self, client: _Client, reply: Reply) -> None:
        for message in reply.messages:
            await self._send(client, message)
            if client.account is not None:
                self._remember_sent(client.account, message)
        if reply.changed and client.account is not None:
            await self.push_changes()
        if client.account is None:
            return
        for verdict in reply.verdicts:
            pending = _PendingVerdict(client, client.account, verdict)
            if self.verdict_delay <= 0:
                await self._give_verdict(pending)
                continue
            pending.task = asyncio.create_task(self._verdict_later(pending))
            self._pending.append(pending)

    async def _verdict_later(self, pending: _PendingVerdict) -> None:
        await asyncio.sleep(self.verdict_delay)
        if pending in self._pending:
            self._pending.remove(pending)
            await self._give_verdict(pending)

    async def _give_verdict(self, pending: _PendingVerdict) -> None:
        """The charge point answers: the change happens, its frames go to the asking client."""
        for message in pending.verdict(self.now):
            await self._send(pending.client, message)
        await self.push_changes()

    @property
    def pending_verdicts(self) -> int:
        """How many charge point verdicts are still on their way."""
        return len(self._pending)

    async def release_verdicts(self) -> None:
        """Deliver every waiting verdict now, in the order the commands came."""
        while self._pending:
            pending = self._pending.pop(0)
            if pending.task is not None:
                pending.task.cancel()
            await self._give_verdict(pending)

    async def _send(self, client: _Client, message: dict[str, Any]) -> None:
        await self.send_text(client, json.dumps(message))

    async def send_text(self, client: _Client, text: str) -> None:
        """Send one text frame (recorded); a client that went away is skipped."""
        if client.ws.closed:
            return
        self._record("out", text, client.peer)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await client.ws.send_str(text)
            client.sent += 1

    def _record(self, direction: Literal["in", "out"], text: str, peer: str) -> None:
        frame = Frame(direction, time.time(), text, peer)
        self.recording.append(frame)
        if self._record_file is not None:
            self._record_file.write(
                json.dumps({"direction": direction, "at": frame.at, "peer": peer, "data": text})
                + "\n"
            )
            self._record_file.flush()

    def requests(self, command: str | None = None) -> list[dict[str, Any]]:
        """The parsed requests received so far, optionally of one command only."""
        found = []
        for frame in self.recording:
            if frame.direction != "in":
                continue
            try:
                parsed = json.loads(frame.data)
            except json.JSONDecodeError:
                continue
            if isinstance(parsed, dict) and (command is None or parsed.get("command") == command):
                found.append(parsed)
        return found

    def _long_clients(self, account: SimAccount | None) -> list[_Client]:
        return [
            c
            for c in self._clients
            if c.long_lived and not c.ws.closed and (account is None or c.account is account)
        ]

    @property
    def live_connections(self) -> int:
        """How many long connections are open."""
        return len(self._long_clients(None))

    # ---------------------------------------------------------------- pushes and faults

    async def push(self, message: dict[str, Any], account: SimAccount | None = None) -> None:
        """Send an object to every long connection (of ``account`` when given)."""
        await self.push_raw(json.dumps(message), account=account)

    async def push_raw(self, text: str, account: SimAccount | None = None) -> None:
        """Send any text frame, valid JSON or not, to the long connections."""
        for client in self._long_clients(account):
            await self.send_text(client, text)

    async def push_binary(self, payload: bytes) -> None:
        """Send a binary frame to the long connections."""
        for client in self._long_clients(None):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await client.ws.send_bytes(payload)

    async def flood(self, evse_id: str, count: int, account: SimAccount | None = None) -> None:
        """Push ``count`` status messages for one charge point, as fast as possible."""
        owner = account or next(a for a in self.accounts.values() if evse_id in a.charge_points)
        charge_point = owner.charge_points[evse_id]
        for _ in range(count):
            await self.push(wire.status(charge_point, self.shapes), account=owner)

    async def stream(self, count: int) -> None:
        """Push ``count`` status messages, round-robin over the charging charge points.

        Each message carries one more watt-hour of session energy and nothing else new: what
        a charging charge point reports most of the time.
        """
        charging = [
            (account, cp)
            for account in self.accounts.values()
            for cp in account.charge_points.values()
            if cp.charging
        ]
        for index in range(count if charging else 0):
            account, charge_point = charging[index % len(charging)]
            charge_point.session_energy_kwh += 0.001
            message = wire.status(charge_point, self.shapes)
            self._last_pushed[(account.token, f"status:{charge_point.evse_id}")] = message
            await self.push(message, account=account)

    async def drop_connections(self, mode: DropMode = "clean") -> None:
        """End every long connection: a close frame, a TCP reset, or the request-limit close."""
        for client in self._long_clients(None):
            if mode == "abrupt":
                transport = client.ws._req.transport if client.ws._req else None
                if transport is not None:
                    transport.abort()
                continue
            code = CLOSE_REQUEST_LIMIT if mode == "limit" else WSCloseCode.GOING_AWAY
            await client.ws.close(code=code)

    def reject_next_upgrades(self, reason: str, count: int = 1) -> None:
        """Refuse the next ``count`` websocket upgrades with ``reason`` in the reject header."""
        self.faults.reject_upgrades.extend([reason] * count)

    def stall(self, stalled: bool = True) -> None:
        """Stop answering requests (the socket stays open), or answer again."""
        self.faults.stalled = stalled

    def fail_next(self, command: str, error: str = "Refused by the simulator") -> None:
        """The next ``command`` is refused with ``error`` in its acknowledgement.

        For a command the charge point answers (``SOFT_RESET``, ``REBOOT``, ``START_SESSION``,
        ``STOP_SESSION``) the refusal is its verdict: ``"REJECTED"`` and ``"TIMEOUT"`` are the
        recorded words [T]. ``""`` gives ``success: false`` with an empty error.
        """
        self.faults.fail_next.setdefault(command, []).append(error)

    def ignore_next(self, command: str, count: int = 1) -> None:
        """The next ``count`` ``command`` requests are never answered."""
        self.faults.ignore_next[command] += count

    def charge_point(self, evse_id: str) -> SimChargePoint:
        """A charge point of any account, by evse id."""
        for account in self.accounts.values():
            if evse_id in account.charge_points:
                return account.charge_points[evse_id]
        raise KeyError(evse_id)

    def on_each_account(self, change: Callable[[SimAccount], None]) -> None:
        """Apply a change to every account (push it with ``push_changes``)."""
        for account in self.accounts.values():
            change(account)
