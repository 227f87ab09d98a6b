"""The Blue Current client: one account, its short requests and its long-lived connection."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
import contextlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
import logging
import time as monotonic_clock
from time import time as wall_clock
from typing import Any, NoReturn, cast

import aiohttp

from . import requests
from .connection import close_error, open_websocket, request_limit_reached
from .const import DEFAULT_URL, ERROR_INVALID_AUTH_TOKEN, ERROR_REQUEST_LIMIT
from .exceptions import (
    BlueCurrentConnectionError,
    BlueCurrentError,
    CommandRefusedError,
    CommandTimeoutError,
    InvalidApiTokenError,
    NoActiveProfileError,
    NotConnectedError,
    ParseError,
)
from .models import (
    Account,
    AccountData,
    Activity,
    ChargePointData,
    ChargePointSettings,
    ChargePointStatus,
    ConnectionStats,
    OverrideSchedule,
    Setting,
    Update,
    UpdateKind,
    VehicleStatus,
)
from .parsing import (
    ServerMessage,
    ServiceError,
    parse_account,
    parse_acknowledgement,
    parse_charge_cards,
    parse_charge_points,
    parse_clear_confirmation,
    parse_error,
    parse_grid,
    parse_message,
    parse_override_schedule,
    parse_override_schedules,
    parse_setting_confirmation,
    parse_settings,
    parse_status,
    parse_token_validation,
    subject_evse_id,
)
from .pending import PendingRequest, PendingRequests
from .requests import VERDICT_COMMANDS, Request
from .snapshot import Part, Snapshot

_LOGGER = logging.getLogger(__name__)
# Frames handled before letting the rest of the event loop run.
_FRAMES_PER_TURN = 20
# Requests sent before the event loop gets a turn.
_SENDS_PER_TURN = 50

type UpdateListener = Callable[[Update], None]

# Requests whose ERROR code 1 means the credentials, not one command, were refused.
_SESSION_COMMANDS = frozenset({"VALIDATE_API_TOKEN", "GET_ACCOUNT", "HELLO"})
_SNAPSHOT_PARTS = {"GET_CH_STATUS": Part.STATUS, "GET_CH_SETTINGS": Part.SETTINGS}
_CONNECTION_ENDED = (
    aiohttp.WSMsgType.CLOSE,
    aiohttp.WSMsgType.CLOSING,
    aiohttp.WSMsgType.CLOSED,
    aiohttp.WSMsgType.ERROR,
)
_REDACTED = "**REDACTED**"
_SETTING_CONFIRMATIONS = frozenset({"STATUS_SET_PLUG_AND_CHARGE", "STATUS_SET_PUBLIC_CHARGING"})
# How long a charge point's verdict may take after the service accepted a command: it is
# about 30 s when the charge point is slow to answer the service [R].
VERDICT_TIMEOUT = 60.0
# Silence that makes the client ask whether the connection still carries anything (Home
# Assistant core issue 110999: the service once stopped pushing while the socket stayed
# open). While a charge point charges, pushes come often; when all are idle, rarely.
# [guess] the push interval while charging; an hour of recorded frames would settle it.
SILENCE_WHILE_ACTIVE = 600.0
SILENCE_WHILE_IDLE = 3600.0
_QUIET_VEHICLE = frozenset({None, VehicleStatus.STANDBY})
_ACTIVE_ACTIVITIES = frozenset({Activity.CHARGING, Activity.DELAYED})


def _consume_outcome(outcome: asyncio.Future[None]) -> None:
    """Nobody may await a verdict: its exception must not be reported as never retrieved."""
    if not outcome.cancelled():
        outcome.exception()


@dataclass(eq=False)
class CommandVerdict:
    """A charge point's verdict on a command the service accepted.

    ``wait()`` returns once the charge point carried it out, or raises
    ``CommandRefusedError`` (``REJECTED``, ``TIMEOUT``, ...), ``CommandTimeoutError`` (no
    verdict within ``VERDICT_TIMEOUT``) or ``NotConnectedError`` (the connection ended first).
    """

    command: str
    evse_id: str | None
    outcome: asyncio.Future[None] = field(repr=False)

    @property
    def settled(self) -> bool:
        """Whether the verdict (or its absence) is known."""
        return self.outcome.done()

    async def wait(self) -> None:
        """Wait for the verdict; cancelling the wait does not cancel the verdict."""
        await asyncio.shield(self.outcome)


@dataclass(eq=False)
class _Connection:
    """One long-lived websocket and what belongs to it alone."""

    socket: aiohttp.ClientWebSocketResponse
    # What its requests carry; a later re-validation does not change an open connection.
    authorization: str = field(repr=False, default="")
    pending: PendingRequests = field(default_factory=PendingRequests)
    snapshot: Snapshot = field(default_factory=Snapshot)
    ready: bool = False  # HELLO was answered
    listening: bool = False
    listed_charge_points: bool = False  # its first CHARGE_POINTS arrived
    # Requests messages called for, sent oldest first (a fleet's list calls for a thousand).
    outbox: deque[Request] = field(default_factory=deque)
    end_error: BlueCurrentError | None = None  # set once it ended (or must end)
    ended: bool = False
    # Commands the service accepted whose charge point's verdict is still to come.
    verdicts: list[CommandVerdict] = field(default_factory=list)
    # The silence watch: when the last frame arrived, and when an unanswered probe went out.
    last_frame_at: float = field(default_factory=monotonic_clock.monotonic)
    probe_sent_at: float | None = None
    watch: asyncio.TimerHandle | None = None
    # Requests asked a second time after their answer did not come.
    retried: list[Request] = field(default_factory=list)


class BlueCurrentClient:
    """A client of one Blue Current account.

    Short requests (``validate_token``, ``get_account``) open a connection each. The long
    connection (``connect``, then ``listen``) keeps ``data`` current and carries commands.
    The client never reconnects by itself: ``listen`` raises when the connection ends, and the
    caller decides when to ``connect`` again. ``data`` survives reconnects.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_token: str,
        url: str = DEFAULT_URL,
        request_timeout: float = 10.0,
        *,
        heartbeat: float | None = 30.0,
        verdict_timeout: float = VERDICT_TIMEOUT,
        silence: tuple[float, float] = (SILENCE_WHILE_ACTIVE, SILENCE_WHILE_IDLE),
    ) -> None:
        """Use ``session`` (the caller owns it) to reach ``url`` with ``api_token``.

        ``request_timeout`` bounds every wait for an answer (and for a socket to close);
        ``heartbeat`` is the websocket ping interval that detects dead connections;
        ``verdict_timeout`` bounds the wait for a charge point's verdict; ``silence`` is how
        long a connection may stay silent (while a charge point is active, while all are
        idle) before the client asks for a status to prove it still carries messages.
        """
        self._session = session
        self._api_token = api_token
        self._url = url
        self._request_timeout = request_timeout
        self._verdict_timeout = verdict_timeout
        self._silence = silence
        self._heartbeat = heartbeat
        self._session_token: str | None = None
        # Session tokens handed out lately: a refusal may quote one that was just invalidated.
        self._recent_session_tokens: list[str] = []
        self._customer_id: str | None = None
        self._connection: _Connection | None = None
        self._data = AccountData()
        self._listeners: list[UpdateListener] = []
        # Waiting for a charge point's status to say something (block/unblock took effect).
        self._status_waiters: dict[
            str, list[tuple[Callable[[ChargePointStatus], bool], asyncio.Future[None]]]
        ] = {}
        self._stats = ConnectionStats()
        # ``stats.last_message_at`` as a POSIX time: made a datetime only when stats are read.
        self._last_message_time: float | None = None
        # Fire-and-forget work (flushing requests, ending a silent connection), held here so
        # that the event loop's weak references do not lose it half-way.
        self._background: set[asyncio.Task[None]] = set()
        self._handlers: dict[str, Callable[[ServerMessage], object]] = {
            "CHARGE_POINTS": self._on_charge_points,
            "CH_STATUS": self._on_status,
            "CH_SETTINGS": self._on_settings,
            "GRID_STATUS": self._on_grid,
            "GRID_CURRENT": self._on_grid,
            "CHARGE_CARDS": self._on_cards,
            "STATUS_SET_PLUG_AND_CHARGE": parse_setting_confirmation,
            "STATUS_SET_PUBLIC_CHARGING": parse_setting_confirmation,
            "LIST_OVERRIDE_CURRENT": parse_override_schedules,
            "POST_SET_OVERRIDE_CURRENT": parse_override_schedule,
            "POST_EDIT_OVERRIDE_CURRENT": parse_override_schedule,
            "POST_CLEAR_OVERRIDE_CURRENT": parse_clear_confirmation,
        }

    def __repr__(self) -> str:
        """Where it connects and for whom; never a token."""
        return (
            f"<BlueCurrentClient url={self._url!r} customer_id={self._customer_id!r} "
            f"connected={self.connected}>"
        )

    # -----------------------------------------------------------------------------------------
    # State

    @property
    def connected(self) -> bool:
        """Whether the long connection is open and greeted."""
        connection = self._connection
        return (
            connection is not None
            and connection.ready
            and not connection.ended
            and not connection.socket.closed
        )

    @property
    def data(self) -> AccountData:
        """Everything known about the account; replaced whole on every change."""
        return self._data

    @property
    def customer_id(self) -> str | None:
        """The account's customer id, once the token was validated."""
        return self._customer_id

    @property
    def stats(self) -> ConnectionStats:
        """A copy of the connection counters."""
        stats = replace(self._stats)
        if self._last_message_time is not None:
            stats.last_message_at = datetime.fromtimestamp(self._last_message_time, UTC)
        return stats

    def add_listener(self, listener: UpdateListener) -> Callable[[], None]:
        """Call ``listener(update)`` after every change of ``data``; returns the unsubscriber."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    # -----------------------------------------------------------------------------------------
    # Short connections

    async def validate_token(self) -> str:
        """Check the API token; return the customer id. Opens a short connection."""
        request = requests.validate_api_token(self._api_token)
        answer = await self._ask_once(request, authorization=None)
        try:
            validation = parse_token_validation(answer)
        except ParseError as err:
            raise BlueCurrentConnectionError(f"Unreadable token validation ({err})") from None
        if not validation.success or validation.session_token is None:
            raise InvalidApiTokenError("The service refused the API token")
        self._session_token = validation.session_token
        self._recent_session_tokens = [*self._recent_session_tokens[-3:], validation.session_token]
        self._customer_id = validation.customer_id
        return cast(str, validation.customer_id)

    async def get_account(self) -> Account:
        """The account the token belongs to (customer id, e-mail); validates first if needed."""

        async def ask() -> Account:
            answer = await self._ask_once(requests.get_account(), self._authorization())
            try:
                return parse_account(answer, self._customer_id)
            except ParseError as err:
                raise BlueCurrentConnectionError(f"Unreadable account ({err})") from None

        return await self._with_session(ask)

    async def _with_session[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run ``operation`` with the session's Authorization.

        Validates the token first when there is no session yet, and once more when the service
        no longer accepts the session it gave (a session token may expire; the API token not).
        """
        fresh = self._session_token is None
        if fresh:
            await self.validate_token()
        try:
            return await operation()
        except InvalidApiTokenError:
            if fresh:
                raise
            _LOGGER.debug("The session was refused; validating the API token again")
            self._session_token = None
            await self.validate_token()
            return await operation()

    def _authorization(self) -> str:
        if self._session_token is None:
            raise InvalidApiTokenError("The API token was not validated")
        return f"Token {self._session_token}"

    async def _ask_once(self, request: Request, authorization: str | None) -> ServerMessage:
        """Open a short connection, send ``request``, return its answer, close."""
        socket = None
        try:
            async with asyncio.timeout(self._request_timeout):
                socket = await self._open_socket(heartbeat=None)
                await socket.send_str(request.encode(authorization))
                self._stats.requests_sent += 1
                answer = await self._read_answer(socket, request)
        except TimeoutError:
            raise BlueCurrentConnectionError(f"No answer to {request.command} in time") from None
        except (ConnectionError, aiohttp.ClientError) as err:
            raise BlueCurrentConnectionError(
                f"The connection failed during {request.command} ({type(err).__name__})"
            ) from None
        finally:
            if socket is not None:
                await socket.close()
        if answer.name == "ERROR":
            raise self._error_for(request, parse_error(answer))
        return answer

    async def _read_answer(
        self, socket: aiohttp.ClientWebSocketResponse, request: Request
    ) -> ServerMessage:
        while True:
            frame = await socket.receive()
            if frame.type in _CONNECTION_ENDED:
                raise self._ending_error(socket, frame)
            if frame.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                continue
            try:
                message = parse_message(frame.data)
                refusal = self._refusal(message)
            except ParseError as err:
                self._drop(None, err)
                continue
            if message.name == "ERROR" or message.name in request.answered_by:
                return message
            if refusal and message.name == f"RECEIVED_{request.command}":
                raise BlueCurrentConnectionError(
                    f"The service refused {request.command}: {self._redact(refusal)}"
                )

    async def _open_socket(self, heartbeat: float | None) -> aiohttp.ClientWebSocketResponse:
        return await open_websocket(
            self._session, self._url, heartbeat=heartbeat, close_timeout=self._request_timeout
        )

    # -----------------------------------------------------------------------------------------
    # The long connection

    async def connect(self) -> None:
        """Open the long connection and greet the service (HELLO); validates first if needed.

        Raises ``InvalidApiTokenError``, ``RequestLimitReachedError``, ``AlreadyConnectedError``
        or ``BlueCurrentConnectionError``.
        """
        if self.connected:
            return
        await self._with_session(self._open_long_connection)

    async def _open_long_connection(self) -> None:
        try:
            async with asyncio.timeout(self._request_timeout):
                socket = await self._open_socket(self._heartbeat)
        except TimeoutError:
            raise BlueCurrentConnectionError("The service did not accept in time") from None
        connection = self._connection = _Connection(socket, self._authorization())
        try:
            async with asyncio.timeout(self._request_timeout):
                await self._greet(connection)
        except TimeoutError:
            error = BlueCurrentConnectionError("The service did not answer HELLO in time")
            await self._end(connection, error)
            raise error from None
        except BaseException as err:
            await self._end(connection, err if isinstance(err, BlueCurrentError) else None)
            raise
        connection.ready = True
        self._stats.connections_opened += 1
        self._stats.connected_since = datetime.now(UTC)
        _LOGGER.debug("Connected to %s", self._url)

    async def _greet(self, connection: _Connection) -> None:
        pending = await self._send(connection, requests.hello(), awaited=True)
        answer = cast(asyncio.Future[object], pending.answer)
        try:
            while not answer.done() and await self._receive(connection):
                pass
        finally:
            connection.pending.discard(pending)
        if answer.done():
            answer.result()  # raises what an ERROR made of it
        if connection.ended or not answer.done():
            raise self._end_reason(connection)

    async def listen(self) -> NoReturn:
        """Ask for the snapshot, then receive until the connection ends; raise why it ended.

        ``BlueCurrentConnectionError`` (dropped: reconnect soon), ``RequestLimitReachedError``,
        ``InvalidApiTokenError``, or ``NotConnectedError`` after ``disconnect()``.
        """
        connection = self._connection
        if connection is None or not self.connected:
            raise NotConnectedError("Not connected")
        if connection.listening:
            raise RuntimeError("listen() is already running for this connection")
        connection.listening = True
        self._watch_silence(connection)
        try:
            with contextlib.suppress(NotConnectedError):  # the next receive says why
                await self._send_snapshot_requests(connection)
            received = 0
            while await self._receive(connection):
                received += 1
                if received % _FRAMES_PER_TURN == 0:
                    # Buffered frames are read without waiting: a fleet's snapshot would
                    # otherwise be handled in one turn of the event loop, blocking the host.
                    await asyncio.sleep(0)
        except asyncio.CancelledError:
            await self._end(connection, NotConnectedError("Listening was cancelled"))
            raise
        error = self._end_reason(connection)
        await self._end(connection, error)
        raise error

    async def wait_for_snapshot(self) -> None:
        """Return once every charge point has reported its status and settings.

        Raises the connection's end reason if it ends first, ``NotConnectedError`` before the
        first ``connect``.
        """
        if self._connection is None:
            raise NotConnectedError("Not connected")
        await self._connection.snapshot.wait()

    async def disconnect(self) -> None:
        """Close the long connection; a running ``listen`` raises ``NotConnectedError``."""
        connection = self._connection
        if connection is not None and not connection.ended:
            await self._end(connection, NotConnectedError("Disconnected"))

    async def _send_snapshot_requests(self, connection: _Connection) -> None:
        # Pipelined: every request goes out before any answer is read. Known cards are asked
        # for again only when the charge point list names a card they do not match.
        wanted = [requests.get_charge_points()]
        if self._data.cards is None:
            wanted.append(requests.get_charge_cards())
        for request in wanted:
            await self._send(connection, request, awaited=False)

    async def _end(self, connection: _Connection, error: BlueCurrentError | None) -> None:
        """Close ``connection`` once; everything waiting on it learns why."""
        if connection.end_error is None and error is not None:
            connection.end_error = error
        if connection.ended:
            return
        connection.ended = True
        reason = self._end_reason(connection)
        if connection.watch is not None:
            connection.watch.cancel()
        connection.pending.fail_all(
            lambda request: NotConnectedError(
                f"The connection ended before {request.command} was answered"
            )
        )
        verdicts, connection.verdicts = connection.verdicts, []
        for verdict in verdicts:
            if not verdict.outcome.done():
                verdict.outcome.set_exception(
                    NotConnectedError(
                        f"The connection ended before the verdict on {verdict.command}"
                    )
                )
        connection.snapshot.fail(reason)
        self._stats.connected_since = None
        self._stats.last_disconnect_reason = str(reason)
        _LOGGER.debug("Connection ended: %s", reason)
        await connection.socket.close()
        await asyncio.sleep(0)
        _disarm_heartbeat(connection.socket)

    def _end_reason(self, connection: _Connection) -> BlueCurrentError:
        if connection.end_error is None:
            connection.end_error = BlueCurrentConnectionError("The connection was lost")
        return connection.end_error

    async def _receive(self, connection: _Connection) -> bool:
        """Read and handle one frame; False once the connection ended."""
        socket = connection.socket
        frame = await socket.receive()
        connection.last_frame_at = monotonic_clock.monotonic()
        if frame.type in _CONNECTION_ENDED:
            if connection.end_error is None:
                connection.end_error = self._ending_error(socket, frame)
            return False
        if frame.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            self._handle_frame(connection, frame.data)
        if connection.outbox:
            await self._flush_outbox(connection)
        if connection.end_error is not None:
            await self._end(connection, None)
            return False
        return True

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -----------------------------------------------------------------------------------------
    # The silence watch

    def _watch_silence(self, connection: _Connection) -> None:
        """Check for a silent connection every so often, for as long as it is open."""
        if connection.ended:
            return
        # Often enough that an unanswered snapshot request is chased well within setup's wait.
        interval = min(min(self._silence) / 4, self._request_timeout / 4)
        connection.watch = asyncio.get_running_loop().call_later(
            interval, self._check_silence, connection
        )

    def _check_silence(self, connection: _Connection) -> None:
        self._chase_unanswered(connection)
        now = monotonic_clock.monotonic()
        probe = connection.probe_sent_at
        if probe is not None and connection.last_frame_at >= probe:
            connection.probe_sent_at = probe = None  # answered: the connection carries data
        if probe is not None and now - probe > self._request_timeout:
            self._give_up_silent(connection)
            return
        active = self._any_charge_point_active()
        limit = self._silence[0] if active else self._silence[1]
        if probe is None and now - connection.last_frame_at >= limit:
            self._probe(connection, active)
        self._watch_silence(connection)

    def _chase_unanswered(self, connection: _Connection) -> None:
        """Snapshot requests left unanswered: ask once more, then stop waiting for them.

        An answer the service dropped, or one we could not read, must not leave setup or a
        reconnect waiting: the snapshot completes with what is known, the rest joins later.
        """
        for pending in connection.pending.take_expired():
            request = pending.request
            if pending.answer is not None:
                continue  # its caller has its own deadline
            if not any(asked is request for asked in connection.retried):
                connection.retried.append(request)
                _LOGGER.debug("No answer to %s %s; asking again", request.command, request.evse_id)
                connection.outbox.append(request)
                continue
            part = _SNAPSHOT_PARTS.get(request.command)
            if part is not None and request.evse_id:
                _LOGGER.debug("No %s of %s came; going on without it", part, request.evse_id)
                connection.snapshot.arrived(part, request.evse_id)
            elif request.command == "GET_CHARGE_POINTS" and not connection.listed_charge_points:
                connection.snapshot.fail(
                    BlueCurrentConnectionError("The service did not list the charge points")
                )
        if connection.outbox:
            self._spawn(self._flush_outbox(connection))

    def _any_charge_point_active(self) -> bool:
        for data in self._data.charge_points.values():
            status = data.status
            if status is not None and (
                status.activity in _ACTIVE_ACTIVITIES or status.vehicle_status not in _QUIET_VEHICLE
            ):
                return True
        return False

    def _probe(self, connection: _Connection, active: bool) -> None:
        """Ask for one status: the cheapest request whose answer proves the line is alive."""
        evse_id = next(
            (
                evse_id
                for evse_id, data in self._data.charge_points.items()
                if not active or (data.status is not None and data.status.activity is not None)
            ),
            None,
        )
        if evse_id is None:
            return
        _LOGGER.debug("Nothing arrived for a while; asking for the status of %s", evse_id)
        connection.probe_sent_at = monotonic_clock.monotonic()
        connection.outbox.append(requests.get_status(evse_id))
        self._spawn(self._flush_outbox(connection))

    async def _flush_outbox(self, connection: _Connection) -> None:
        """Send what messages called for, ``_SENDS_PER_TURN`` at a time.

        A fleet's list calls for a thousand requests: sent in one go they would hold the event
        loop for a tenth of a second.
        """
        try:
            sent = 0
            while connection.outbox and connection.end_error is None:
                await self._send(connection, connection.outbox.popleft(), awaited=False)
                sent += 1
                if sent % _SENDS_PER_TURN == 0:
                    await asyncio.sleep(0)
        except NotConnectedError:
            connection.outbox.clear()  # the socket closed: the next receive says why

    def _give_up_silent(self, connection: _Connection) -> None:
        """The probe went unanswered: end the connection so that the caller reconnects."""
        _LOGGER.debug("The service stayed silent after a status request; reconnecting")
        error = BlueCurrentConnectionError("The service stopped sending (no answer to a status)")
        self._spawn(self._end(connection, error))

    def _ending_error(
        self, socket: aiohttp.ClientWebSocketResponse, frame: aiohttp.WSMessage
    ) -> BlueCurrentError:
        if frame.type is aiohttp.WSMsgType.CLOSE:
            return close_error(frame.data)
        if frame.type is aiohttp.WSMsgType.ERROR:
            return BlueCurrentConnectionError(
                f"The connection failed ({type(frame.data).__name__})"
            )
        return close_error(socket.close_code)

    async def _send(
        self, connection: _Connection, request: Request, *, awaited: bool
    ) -> PendingRequest:
        """Send ``request`` on ``connection``, recorded as waiting for its answer."""
        if connection.ended or connection.socket.closed:
            raise NotConnectedError(f"Not connected: cannot send {request.command}")
        pending = connection.pending.add(request, self._request_timeout, awaited=awaited)
        try:
            await connection.socket.send_str(request.encode(connection.authorization))
        except (ConnectionError, aiohttp.ClientError):
            connection.pending.discard(pending)
            raise NotConnectedError(f"Not connected: cannot send {request.command}") from None
        self._stats.requests_sent += 1
        _LOGGER.debug("Sent %s %s", request.command, request.evse_id or "")
        return pending

    # -----------------------------------------------------------------------------------------
    # Handling what the service sends

    def _handle_frame(self, connection: _Connection, frame: str | bytes) -> None:
        self._stats.messages_received += 1
        self._last_message_time = wall_clock()
        name = None
        try:
            message = parse_message(frame)
            name = message.name
            self._handle_message(connection, message)
        except ParseError as err:
            self._drop(name, err)

    def _drop(self, name: str | None, error: ParseError) -> None:
        self._stats.messages_dropped += 1
        _LOGGER.debug("Dropped a malformed %s message: %s", name or "unnamed", error)

    def _handle_message(self, connection: _Connection, message: ServerMessage) -> None:
        if message.name == "ERROR":
            self._on_error(connection, parse_error(message))
            return
        refusal = self._refusal(message)
        handler = self._handlers.get(message.name)
        value = handler(message) if handler is not None else message
        pending = connection.pending.take_answered(message, refused=bool(refusal))
        if pending is not None:
            if not refusal and pending.request.command in VERDICT_COMMANDS:
                # Registered now, not when the caller resumes: the verdict may be the very
                # next frame, handled in this same turn of the event loop.
                value = self._accepted(connection, pending.request, message)
            self._settle(connection, pending, value, refusal)
        if message.name in _SETTING_CONFIRMATIONS and not refusal:
            # It may name no charge point [T]: then it is the request's it answered.
            evse_id = message.evse_id or (pending.request.evse_id if pending else None)
            self._apply_confirmed_setting(message.name, evse_id, value)
        elif message.name.startswith("STATUS_"):
            self._settle_verdict(connection, message, refusal)
        elif handler is None and not message.name.startswith("RECEIVED_"):
            self._stats.messages_unknown += 1
            _LOGGER.debug("Ignored a %s message", message.name)

    def _refusal(self, message: ServerMessage) -> str:
        """The service's reason when ``message`` refuses a request, else ``""``.

        ``success: false`` refuses even without an ``error`` text [T][R].
        """
        if message.name.startswith(("RECEIVED_", "STATUS_")):
            return parse_acknowledgement(message).reason
        if message.name == "POST_CLEAR_OVERRIDE_CURRENT" and not parse_clear_confirmation(message):
            return "the schedule was not cleared"
        return ""

    def _settle_verdict(
        self, connection: _Connection, message: ServerMessage, refusal: str
    ) -> None:
        """A ``STATUS_<command>`` that answered no request: a charge point's later verdict.

        It belongs to the oldest accepted command of that name for that charge point (or of
        any charge point: ``STATUS_STOP_SESSION`` names none [R]).
        """
        command = message.name.removeprefix("STATUS_")
        if command not in VERDICT_COMMANDS:
            return
        for verdict in connection.verdicts:
            if verdict.command == command and message.evse_id in (None, verdict.evse_id):
                connection.verdicts.remove(verdict)
                if refusal:
                    self._stats.commands_refused += 1
                    error = CommandRefusedError(command, verdict.evse_id, self._redact(refusal))
                    verdict.outcome.set_exception(error)
                else:
                    verdict.outcome.set_result(None)
                return
        _LOGGER.debug("A verdict on %s arrived that nothing waited for", command)

    def _settle(
        self, connection: _Connection, pending: PendingRequest, value: object, refusal: str
    ) -> None:
        request = pending.request
        if refusal:
            self._stats.commands_refused += 1
            self._fail(
                connection,
                pending,
                CommandRefusedError(request.command, request.evse_id, self._redact(refusal)),
            )
        elif pending.answer is not None and not pending.answer.done():
            pending.answer.set_result(value)

    def _fail(self, connection: _Connection, pending: PendingRequest, error: Exception) -> None:
        request = pending.request
        if pending.answer is not None:
            if not pending.answer.done():
                pending.answer.set_exception(error)
            return
        _LOGGER.debug("%s %s failed: %s", request.command, request.evse_id or "", error)
        if (part := _SNAPSHOT_PARTS.get(request.command)) and request.evse_id:
            # Nothing more will come for it: the snapshot must not wait forever.
            connection.snapshot.arrived(part, request.evse_id)

    def _on_error(self, connection: _Connection, error: ServiceError) -> None:
        self._stats.errors_received += 1
        if error.code == ERROR_INVALID_AUTH_TOKEN:
            self._session_token = None  # the next connect validates again
        pending = connection.pending.take_oldest()
        if pending is None:
            # Answering nothing, it cannot be trusted to be about us now (a stale or
            # misrouted message): even a request-limit error only matters once a request of
            # ours gets it, or the pushes would stop until midnight over one stray message.
            _LOGGER.debug(
                "The service reported error %s (%s) while no request waited",
                error.code,
                self._redact(error.message),
            )
            return
        self._fail(connection, pending, self._error_for(pending.request, error))
        if error.code == ERROR_REQUEST_LIMIT and connection.end_error is None:
            connection.end_error = request_limit_reached()

    def _error_for(self, request: Request, error: ServiceError) -> BlueCurrentError:
        """The exception an ``ERROR`` object means for ``request``."""
        reason = self._redact(error.message) or f"error {error.code}"
        if error.code == ERROR_REQUEST_LIMIT:
            return request_limit_reached()
        if request.command in _SESSION_COMMANDS:
            if error.code == ERROR_INVALID_AUTH_TOKEN:
                return InvalidApiTokenError(f"The service refused the credentials: {reason}")
            return BlueCurrentConnectionError(f"{request.command} failed: {reason}")
        return CommandRefusedError(request.command, request.evse_id, reason)

    def _redact(self, text: str) -> str:
        """``text`` from the service, with any credential of ours blanked out."""
        for secret in (self._api_token, *self._recent_session_tokens):
            if secret:
                text = text.replace(secret, _REDACTED)
        return text

    def _publish(self, data: AccountData, update: Update | None) -> None:
        """Store ``data``; tell listeners when ``update`` says what changed."""
        self._data = data
        if update is None:
            return
        for listener in tuple(self._listeners):
            try:
                listener(update)
            except Exception:
                self._stats.listener_failures += 1
                _LOGGER.exception("An update listener failed on %s", update)

    def _store_charge_point(self, entry: ChargePointData, update: Update | None) -> None:
        data = self._data
        charge_points = data.charge_points.copy()
        charge_points[entry.charge_point.evse_id] = entry
        self._publish(_with_charge_points(data, charge_points), update)

    def _on_charge_points(self, message: ServerMessage) -> object:
        charge_point_list = parse_charge_points(message)
        listed = charge_point_list.charge_points
        before = self._data.charge_points
        if not listed and before:
            # Every charge point gone at once is far likelier a glitch of the service than an
            # emptied account: removing them would take the user's devices and history.
            _LOGGER.info("The service listed no charge points; keeping the %d known", len(before))
            return listed
        after: dict[str, ChargePointData] = {}
        if charge_point_list.unreadable:
            # An unreadable item may be one we know: keep those, none leaves by a glitch.
            after.update(before)
        for charge_point in listed:
            known = before.get(charge_point.evse_id)
            if known is None:
                after[charge_point.evse_id] = ChargePointData(charge_point)
            elif known.charge_point != charge_point:
                after[charge_point.evse_id] = replace(known, charge_point=charge_point)
            else:
                after[charge_point.evse_id] = known
        if after != before or list(after) != list(before):
            update = Update(UpdateKind.CHARGE_POINTS) if after != before else None
            self._publish(replace(self._data, charge_points=after), update)
        self._request_charge_point_details(list(after), set(before))
        return listed

    def _request_charge_point_details(self, listed: list[str], known_before: set[str]) -> None:
        """Ask for what a charge point list calls for: all on a connection's first, else news."""
        connection = self._connection
        if connection is None:
            return
        first = not connection.listed_charge_points
        connection.listed_charge_points = True
        connection.snapshot.expect(listed)
        wanted = listed if first else [e for e in listed if e not in known_before]
        charge_points = self._data.charge_points
        for evse_id in wanted:
            connection.outbox.append(requests.get_status(evse_id))
            if _list_says_settings(charge_points.get(evse_id)):
                # After a reconnect: the list item shows the settings unchanged.
                connection.snapshot.arrived(Part.SETTINGS, evse_id)
            else:
                connection.outbox.append(requests.get_settings(evse_id))
        if listed and (first or self._data.grid is None):
            connection.outbox.append(requests.get_grid_status(listed[0]))
        if first and self._data.cards is not None and self._cards_outdated(listed):
            connection.outbox.append(requests.get_charge_cards())

    def _cards_outdated(self, listed: list[str]) -> bool:
        """Whether a listed default card is not one of the known cards as they are known."""
        known = {card.uid: card for card in self._data.cards or ()}
        for evse_id in listed:
            data = self._data.charge_points.get(evse_id)
            card = data.charge_point.default_card if data is not None else None
            if card is not None:
                same = known.get(card.uid)
                if same is None or (same.name, same.valid) != (card.name, card.valid):
                    return True
        return False

    def _on_status(self, message: ServerMessage) -> object:
        known = self._data.charge_points.get(subject_evse_id(message) or "")
        status = parse_status(message, known.status if known else None)
        if known is None:
            _LOGGER.debug("Ignored the status of unlisted charge point %s", status.evse_id)
            return status
        if self._connection is not None:
            self._connection.snapshot.arrived(Part.STATUS, status.evse_id)
        if status != known.status:
            self._store_charge_point(
                _with_status(known, status), Update(UpdateKind.STATUS, status.evse_id)
            )
        elif known.status is not None and status.reported != known.status.reported:
            self._store_charge_point(_with_status(known, status), None)
        if status.evse_id in self._status_waiters:
            self._wake_status_waiters(status)
        return status

    def _wake_status_waiters(self, status: ChargePointStatus) -> None:
        waiters = self._status_waiters.get(status.evse_id, [])
        for condition, reached in tuple(waiters):
            if not reached.done() and condition(status):
                reached.set_result(None)

    def _on_settings(self, message: ServerMessage) -> object:
        known = self._data.charge_points.get(subject_evse_id(message) or "")
        settings = parse_settings(message, known.settings if known else None)
        if known is None:
            _LOGGER.debug("Ignored the settings of unlisted charge point %s", settings.evse_id)
            return settings
        if self._connection is not None:
            self._connection.snapshot.arrived(Part.SETTINGS, settings.evse_id)
        self._store_settings(known, settings)
        return settings

    def _store_settings(self, known: ChargePointData, settings: ChargePointSettings) -> None:
        if settings != known.settings:
            self._store_charge_point(
                _with_settings(known, settings), Update(UpdateKind.SETTINGS, settings.evse_id)
            )

    def _apply_confirmed_setting(self, name: str, evse_id: str | None, value: object) -> None:
        """A ``STATUS_SET_*``: apply the confirmed value now; a CH_SETTINGS push may follow."""
        known = self._data.charge_points.get(evse_id or "")
        if not isinstance(value, bool) or known is None or known.settings is None:
            return
        settings = known.settings
        # ``result.setting`` is the confirmed value [T]; the permission is unchanged by it.
        if name == "STATUS_SET_PLUG_AND_CHARGE":
            editable = settings.plug_and_charge.editable if settings.plug_and_charge else True
            settings = replace(settings, plug_and_charge=Setting(value, editable))
        else:
            editable = settings.public_charging.editable if settings.public_charging else True
            settings = replace(settings, public_charging=Setting(value, editable))
        self._store_settings(known, settings)

    def _on_grid(self, message: ServerMessage) -> object:
        grid = parse_grid(message, self._data.grid)
        if grid != self._data.grid:
            self._publish(replace(self._data, grid=grid), Update(UpdateKind.GRID))
        return grid

    def _on_cards(self, message: ServerMessage) -> object:
        cards = parse_charge_cards(message)
        if cards != self._data.cards:
            self._publish(replace(self._data, cards=cards), Update(UpdateKind.CARDS))
        return cards

    # -----------------------------------------------------------------------------------------
    # Commands

    async def _command(self, request: Request) -> Any:
        """Send ``request`` and return its parsed answer once it arrives."""
        connection = self._connection
        if connection is None or not self.connected:
            raise NotConnectedError(f"Not connected: cannot send {request.command}")
        pending = await self._send(connection, request, awaited=True)
        answer = cast(asyncio.Future[object], pending.answer)
        try:
            async with asyncio.timeout(self._request_timeout):
                return await answer
        except TimeoutError:
            self._stats.commands_timed_out += 1
            raise CommandTimeoutError(
                request.command,
                request.evse_id,
                f"no answer within {self._request_timeout:g} s",
            ) from None
        finally:
            connection.pending.discard(pending)

    async def refresh_status(self, evse_id: str) -> None:
        """Ask for a charge point's status again; returns once it arrived."""
        await self._command(requests.get_status(evse_id))

    async def refresh_settings(self, evse_id: str) -> None:
        """Ask for a charge point's settings again; returns once they arrived."""
        await self._command(requests.get_settings(evse_id))

    async def refresh_charge_points(self) -> None:
        """Read the charge point list again (new ones are then asked for their details)."""
        await self._command(requests.get_charge_points())

    async def refresh_cards(self) -> None:
        """Read the charge cards again."""
        await self._command(requests.get_charge_cards())

    async def set_plug_and_charge(self, evse_id: str, on: bool) -> bool:
        """Turn plug & charge on or off; returns the value the service confirmed."""
        confirmed = await self._command(requests.set_plug_and_charge(evse_id, on))
        return on if confirmed is None else bool(confirmed)

    async def set_linked_charge_cards_only(self, evse_id: str, on: bool) -> bool:
        """Allow only the account's cards (public charging off); returns the confirmed value."""
        confirmed = await self._command(requests.set_public_charging(evse_id, not on))
        return on if confirmed is None else not confirmed

    async def set_blocked(self, evse_id: str, blocked: bool) -> CommandVerdict:
        """Block a charge point (nobody can charge) or unblock it; returns once accepted.

        The service confirms block/unblock by a status whose ``activity`` shows it, not by a
        verdict [D][R], and how long the charge point takes is not known: the returned
        ``CommandVerdict`` completes when a status shows it, and fails with
        ``CommandTimeoutError`` when none has by ``verdict_timeout`` (one status is asked for
        halfway). It outlives reconnects: the status after one may be what shows it.
        """
        await self._command(requests.set_blocked(evse_id, blocked))

        def shows_it(status: ChargePointStatus) -> bool:
            if status.activity is None:
                return False
            return (status.activity is Activity.UNAVAILABLE) is blocked

        command = f"SET_{'IN' if blocked else ''}OPERATIVE"
        return self._follow_status(command, evse_id, shows_it)

    def _follow_status(
        self, command: str, evse_id: str, shows_it: Callable[[ChargePointStatus], bool]
    ) -> CommandVerdict:
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[None] = loop.create_future()
        outcome.add_done_callback(_consume_outcome)
        verdict = CommandVerdict(command, evse_id, outcome)
        known = self._data.charge_points.get(evse_id)
        if known is not None and known.status is not None and shows_it(known.status):
            outcome.set_result(None)
            return verdict
        waiters = self._status_waiters.setdefault(evse_id, [])
        entry = (shows_it, outcome)
        waiters.append(entry)

        def ask_once() -> None:
            connection = self._connection
            if not outcome.done() and connection is not None and not connection.ended:
                connection.outbox.append(requests.get_status(evse_id))
                self._spawn(self._flush_outbox(connection))

        def expire() -> None:
            if not outcome.done():
                self._stats.commands_timed_out += 1
                outcome.set_exception(
                    CommandTimeoutError(
                        command, evse_id, "the charge point's status does not show it"
                    )
                )

        timers = (
            loop.call_later(self._verdict_timeout / 2, ask_once),
            loop.call_later(self._verdict_timeout, expire),
        )

        def done(_: asyncio.Future[None]) -> None:
            for timer in timers:
                timer.cancel()
            waiters.remove(entry)
            if not waiters and self._status_waiters.get(evse_id) is waiters:
                del self._status_waiters[evse_id]

        outcome.add_done_callback(done)
        return verdict

    async def _verdict_command(self, request: Request) -> CommandVerdict:
        """Send a command whose verdict comes later; return once the service accepted it.

        A refusal with the acceptance raises ``CommandRefusedError`` now; the verdict is the
        returned ``CommandVerdict``'s to report.
        """
        verdict: CommandVerdict = await self._command(request)
        return verdict

    def _accepted(
        self, connection: _Connection, request: Request, answer: ServerMessage
    ) -> CommandVerdict:
        """The service accepted ``request``: follow its verdict (unless this is it)."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[None] = loop.create_future()
        outcome.add_done_callback(_consume_outcome)
        verdict = CommandVerdict(request.command, request.evse_id, outcome)
        if answer.name.startswith("STATUS_"):
            outcome.set_result(None)  # the verdict came without an acceptance first
            return verdict
        connection.verdicts.append(verdict)
        expiry = loop.call_later(self._verdict_timeout, self._expire_verdict, connection, verdict)
        outcome.add_done_callback(lambda _: expiry.cancel())
        return verdict

    def _expire_verdict(self, connection: _Connection, verdict: CommandVerdict) -> None:
        if verdict in connection.verdicts:
            connection.verdicts.remove(verdict)
        if not verdict.outcome.done():
            self._stats.commands_timed_out += 1
            verdict.outcome.set_exception(
                CommandTimeoutError(
                    verdict.command,
                    verdict.evse_id,
                    f"no verdict from the charge point within {self._verdict_timeout:g} s",
                )
            )

    async def soft_reset(self, evse_id: str) -> CommandVerdict:
        """Restart a charge point's software; returns once accepted, with the verdict to come."""
        return await self._verdict_command(requests.soft_reset(evse_id))

    async def reboot(self, evse_id: str) -> CommandVerdict:
        """Reboot a charge point; returns once accepted, with the verdict to come."""
        return await self._verdict_command(requests.reboot(evse_id))

    async def start_session(self, evse_id: str, card_uid: str | None = None) -> CommandVerdict:
        """Start charging with a card's uid or (None) without a card; returns once accepted."""
        return await self._verdict_command(requests.start_session(evse_id, card_uid))

    async def stop_session(self, evse_id: str) -> CommandVerdict:
        """Stop the running session; returns once accepted, with the verdict to come."""
        return await self._verdict_command(requests.stop_session(evse_id))

    def _profile_on(self, evse_id: str, profile: str) -> bool:
        data = self._data.charge_points.get(evse_id)
        value = getattr(data, profile) if data is not None else None
        return bool(value is not None and value.enabled)

    async def _only_profile(self, evse_id: str, other: str) -> None:
        """One smart-charging profile at a time: the service does not enforce it [A]."""
        if other == "price_based_charging" and self._profile_on(evse_id, other):
            await self._command(requests.set_price_based_charging(evse_id, False))
        elif other == "delayed_charging" and self._profile_on(evse_id, other):
            await self._command(requests.set_delayed_charging(evse_id, False))

    async def set_delayed_charging(self, evse_id: str, on: bool) -> None:
        """Turn the delayed-charging profile on (the price-based one off) or off."""
        if on:
            await self._only_profile(evse_id, "price_based_charging")
        await self._command(requests.set_delayed_charging(evse_id, on))

    async def save_delayed_charging_schedule(
        self, evse_id: str, days: Iterable[int], start: time, end: time
    ) -> None:
        """Set the delayed-charging window: weekdays (1 = Monday) and its start and end."""
        await self._command(requests.save_delayed_charging_schedule(evse_id, days, start, end))

    async def set_price_based_charging(self, evse_id: str, on: bool) -> None:
        """Turn the price-based profile on (the delayed-charging one off) or off."""
        if on:
            await self._only_profile(evse_id, "delayed_charging")
        await self._command(requests.set_price_based_charging(evse_id, on))

    async def update_price_based_charging(
        self,
        evse_id: str,
        *,
        departure_time: time | None = None,
        current_battery_pct: int | None = None,
        minimum_pct: int | None = None,
        battery_size_kwh: float | None = None,
    ) -> None:
        """Change the price-based profile's settings; None leaves a setting as it is."""
        await self._command(
            requests.update_price_based_charging(
                evse_id,
                departure_time=departure_time,
                current_battery_pct=current_battery_pct,
                minimum_pct=minimum_pct,
                battery_size_kwh=battery_size_kwh,
            )
        )

    async def boost(self, evse_id: str, on: bool = True) -> None:
        """Charge at full power now, overriding the smart-charging profile that is on.

        The command depends on the profile, as the vendor's integration sends it [A]:
        ``OVERRIDE_DELAYED_CHARGING_TIMEOUT`` for delayed charging, else
        ``OVERRIDE_CHARGING_PROFILES`` for price-based charging. Raises
        ``NoActiveProfileError`` when neither is on.
        """
        if self._profile_on(evse_id, "delayed_charging"):
            await self._command(requests.override_delayed_charging(evse_id, on))
        elif self._profile_on(evse_id, "price_based_charging"):
            await self._command(requests.boost(evse_id, on))
        else:
            raise NoActiveProfileError(
                "OVERRIDE_CHARGING_PROFILES", evse_id, "no smart-charging profile is on"
            )

    async def override_delayed_charging(self, evse_id: str, on: bool = True) -> None:
        """Charge now, ignoring the delayed-charging window (or stop that)."""
        await self._command(requests.override_delayed_charging(evse_id, on))

    async def list_current_overrides(self) -> list[OverrideSchedule]:
        """The account's current-override schedules."""
        schedules: tuple[OverrideSchedule, ...] = await self._command(
            requests.list_current_overrides()
        )
        return list(schedules)

    async def set_current_override(
        self,
        charge_points: Iterable[str],
        *,
        start_time: time,
        stop_time: time,
        start_days: Iterable[str],
        stop_days: Iterable[str],
        current: float,
    ) -> OverrideSchedule | None:
        """Schedule a limit on the current of ``charge_points``; days are ``MO``..``SU``.

        Returns the schedule the service answered with, None when its answer carried none
        we could read (the command was still done).
        """
        schedule: OverrideSchedule | None = await self._command(
            requests.set_current_override(
                charge_points,
                start_time=start_time,
                stop_time=stop_time,
                start_days=start_days,
                stop_days=stop_days,
                current=current,
            )
        )
        return schedule

    async def edit_current_override(
        self,
        schedule_id: str,
        charge_points: Iterable[str],
        *,
        start_time: time,
        stop_time: time,
        start_days: Iterable[str],
        stop_days: Iterable[str],
        current: float,
    ) -> OverrideSchedule | None:
        """Change a current-override schedule (None: done, but no readable schedule came)."""
        schedule: OverrideSchedule | None = await self._command(
            requests.edit_current_override(
                schedule_id,
                charge_points,
                start_time=start_time,
                stop_time=stop_time,
                start_days=start_days,
                stop_days=stop_days,
                current=current,
            )
        )
        return schedule

    async def clear_current_override(self, schedule_id: str) -> None:
        """Remove a current-override schedule."""
        await self._command(requests.clear_current_override(schedule_id))


def _disarm_heartbeat(socket: aiohttp.ClientWebSocketResponse) -> None:
    """Cancel a heartbeat that data arriving during the close re-armed.

    aiohttp 3.14 re-arms the heartbeat timer for data received after ``close()``; on a
    closed socket it can only fire uselessly later, and it keeps a timer alive after unload.
    """
    cancel = getattr(socket, "_cancel_heartbeat", None)
    if callable(cancel):
        cancel()


def _list_says_settings(known: ChargePointData | None) -> bool:
    """Whether a charge point's list item shows its known settings unchanged.

    The list carries plug & charge, public charging, the default card and each profile's
    on/off with its permission, not a profile's times or targets: a charge point whose
    profile is on, whose item lacks one of these, or differs from the settings, is re-read.
    """
    settings = known.settings if known is not None else None
    if known is None or settings is None:
        return False
    item = known.charge_point
    listed_card = item.default_card.uid if item.default_card is not None else None
    known_card = settings.default_card.uid if settings.default_card is not None else None
    profiles = (
        (item.delayed_charging, settings.delayed_charging),
        (item.price_based_charging, settings.price_based_charging),
    )
    return (
        item.plug_and_charge is not None
        and item.public_charging is not None
        and (item.plug_and_charge, item.public_charging)
        == (settings.plug_and_charge, settings.public_charging)
        and listed_card == known_card
        and all(
            listed is not None
            and current is not None
            and not listed.enabled
            and (listed.enabled, listed.editable) == (current.enabled, current.editable)
            for listed, current in profiles
        )
    )


# Copies with one field changed, for every status message: a direct call costs a third of
# ``dataclasses.replace``. They name every field: tests/api pin them to ``replace``.


def _with_status(known: ChargePointData, status: ChargePointStatus) -> ChargePointData:
    return ChargePointData(known.charge_point, status, known.settings)


def _with_settings(known: ChargePointData, settings: ChargePointSettings) -> ChargePointData:
    return ChargePointData(known.charge_point, known.status, settings)


def _with_charge_points(
    data: AccountData, charge_points: dict[str, ChargePointData]
) -> AccountData:
    return AccountData(charge_points, data.grid, data.cards)
