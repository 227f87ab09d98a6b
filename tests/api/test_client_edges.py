"""The client's rarer paths, against a websocket server whose every answer the test decides.

The simulator answers as the service does; these tests need answers it never gives: unreadable
validations, refusals on receipt, errors and silence at each step, pushes about charge points
nobody listed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
import contextlib
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.blue_current.api import (
    BlueCurrentClient,
    BlueCurrentConnectionError,
    CommandRefusedError,
    CommandTimeoutError,
    InvalidApiTokenError,
    NotConnectedError,
    RequestLimitReachedError,
    Update,
)

from .messages import EVSE_ID, bodies, charge_point_item, settings_data, status_data

OTHER = "BCU100002"
CLOSE = "<close>"
type Answer = Callable[[dict[str, Any]], list[Any]]


def _default_answers() -> dict[str, Answer]:
    body = bodies()
    return {
        "VALIDATE_API_TOKEN": lambda _: [body["STATUS_API_TOKEN"]],
        "GET_ACCOUNT": lambda _: [body["ACCOUNT"]],
        "HELLO": lambda _: [body["HELLO"]],
        "GET_CHARGE_POINTS": lambda _: [body["CHARGE_POINTS"]],
        "GET_CH_STATUS": lambda request: [
            {
                "object": "CH_STATUS",
                "evse_id": request["evse_id"],
                "data": status_data(evse_id=request["evse_id"], activity="available"),
            }
        ],
        "GET_CH_SETTINGS": lambda request: [
            {
                "object": "CH_SETTINGS",
                "evse_id": request["evse_id"],
                "data": settings_data(evse_id=request["evse_id"]),
            }
        ],
        "GET_GRID_STATUS": lambda _: [body["GRID_STATUS"]],
        "GET_CHARGE_CARDS": lambda _: [body["CHARGE_CARDS"]],
    }


class Scripted:
    """A websocket server at ``url`` answering each command with ``answers[command](request)``.

    An answer is a list of frames: objects (sent as JSON), text (sent as is) or ``CLOSE``.
    A command without an answer gets none.
    """

    def __init__(self) -> None:
        self.answers = _default_answers()
        self.received: list[dict[str, Any]] = []
        self.upgrade_delay = 0.0
        self.sockets: list[web.WebSocketResponse] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    def commands(self, command: str) -> list[dict[str, Any]]:
        """The requests of one command received so far."""
        return [request for request in self.received if request.get("command") == command]

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/haserver", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"ws://127.0.0.1:{port}/haserver"

    async def stop(self) -> None:
        """Close every socket and stop listening."""
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def push(self, *frames: Any) -> None:
        """Send frames unprompted on the newest connection."""
        await self._send(self.sockets[-1], list(frames))

    async def _send(self, socket: web.WebSocketResponse, frames: list[Any]) -> None:
        for frame in frames:
            if frame == CLOSE:
                await socket.close()
                return
            await socket.send_str(frame if isinstance(frame, str) else json.dumps(frame))

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        if self.upgrade_delay:
            await asyncio.sleep(self.upgrade_delay)
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        async for frame in socket:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            self.received.append(data)
            answer = self.answers.get(data.get("command", ""))
            if answer is not None:
                await self._send(socket, answer(data))
        return socket


@pytest.fixture
async def server(socket_enabled: None) -> AsyncGenerator[Scripted]:
    """The scripted server, started (on loopback; the harness blocks sockets otherwise)."""
    scripted = Scripted()
    await scripted.start()
    yield scripted
    await scripted.stop()


@pytest.fixture
async def client(server: Scripted) -> AsyncGenerator[BlueCurrentClient]:
    """A client of the scripted server with short deadlines."""
    async with aiohttp.ClientSession() as session:
        yield BlueCurrentClient(
            session, "api-token", url=server.url, request_timeout=0.3, verdict_timeout=0.6
        )


@contextlib.asynccontextmanager
async def listening(client: BlueCurrentClient) -> AsyncGenerator[asyncio.Task[None]]:
    """Connected, listening and with the snapshot; disconnected afterwards."""
    await client.connect()
    task: asyncio.Task[None] = asyncio.create_task(client.listen())  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(5):
            await client.wait_for_snapshot()
        yield task
    finally:
        await client.disconnect()
        with contextlib.suppress(BaseException):
            await task


async def settle(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


# ------------------------------------------------------------------ short connections


async def test_unreadable_token_validation(server: Scripted, client: BlueCurrentClient) -> None:
    """A success without a session token is a connection problem, not a valid token."""
    server.answers["VALIDATE_API_TOKEN"] = lambda _: [
        {"object": "STATUS_API_TOKEN", "success": True, "customer_id": "C1"}
    ]
    with pytest.raises(BlueCurrentConnectionError, match="Unreadable token validation"):
        await client.validate_token()


async def test_unreadable_account(server: Scripted, client: BlueCurrentClient) -> None:
    """An account answer without its fields is a connection problem."""
    server.answers["GET_ACCOUNT"] = lambda _: [{"object": "ACCOUNT", "login": 42}]
    with pytest.raises(BlueCurrentConnectionError, match="Unreadable account"):
        await client.get_account()


async def test_refused_session_is_validated_once_more(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """A session token the service forgot is renewed once, and the request repeated."""
    await client.validate_token()
    refusals = [{"object": "ERROR", "error": 1, "message": "Invalid Auth Token"}]
    body = bodies()["ACCOUNT"]
    server.answers["GET_ACCOUNT"] = lambda _: [refusals.pop()] if refusals else [body]
    account = await client.get_account()
    assert account.email == "owner@example.com"
    assert len(server.commands("VALIDATE_API_TOKEN")) == 2
    assert len(server.commands("GET_ACCOUNT")) == 2


async def test_session_refused_right_after_validation(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """Refused with a token validated a moment ago: the token itself is bad, no retry."""
    server.answers["GET_ACCOUNT"] = lambda _: [
        {"object": "ERROR", "error": 1, "message": "Invalid Auth Token"}
    ]
    with pytest.raises(InvalidApiTokenError):
        await client.get_account()
    assert len(server.commands("GET_ACCOUNT")) == 1


async def test_short_request_errors(server: Scripted, client: BlueCurrentClient) -> None:
    """An ERROR other than the credentials' fails the request with the service's reason."""
    server.answers["GET_ACCOUNT"] = lambda _: [
        {"object": "ERROR", "error": 9, "message": "Unknown error"}
    ]
    with pytest.raises(BlueCurrentConnectionError, match="GET_ACCOUNT failed: Unknown error"):
        await client.get_account()


async def test_short_request_unanswered(server: Scripted, client: BlueCurrentClient) -> None:
    """No answer within the deadline."""
    del server.answers["VALIDATE_API_TOKEN"]
    with pytest.raises(BlueCurrentConnectionError, match="No answer to VALIDATE_API_TOKEN"):
        await client.validate_token()


async def test_short_request_closed(server: Scripted, client: BlueCurrentClient) -> None:
    """The service closes the short connection instead of answering."""
    server.answers["VALIDATE_API_TOKEN"] = lambda _: [CLOSE]
    with pytest.raises(BlueCurrentConnectionError):
        await client.validate_token()


async def test_short_request_skips_what_it_cannot_read(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """Garbage and unrelated objects before the answer are passed over."""
    body = bodies()
    server.answers["VALIDATE_API_TOKEN"] = lambda _: [
        "{not json",
        body["GRID_CURRENT"],
        body["STATUS_API_TOKEN"],
    ]
    assert await client.validate_token() == "C1"


async def test_short_request_refused_on_receipt(
    server: Scripted, client: BlueCurrentClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A receipt with an error text refuses the request, with the secret redacted."""
    server.answers["VALIDATE_API_TOKEN"] = lambda _: [
        {"object": "RECEIVED_VALIDATE_API_TOKEN", "error": "Token api-token is blocked"}
    ]
    with pytest.raises(BlueCurrentConnectionError, match="refused VALIDATE_API_TOKEN") as err:
        await client.validate_token()
    assert "api-token" not in str(err.value)


# ------------------------------------------------------------------ the long connection


async def test_connection_misuse(server: Scripted, client: BlueCurrentClient) -> None:
    """Snapshot before connecting, a second connect, a second listener."""
    with pytest.raises(NotConnectedError):
        await client.wait_for_snapshot()
    async with listening(client):
        await client.connect()  # already connected: nothing happens
        assert len(server.commands("HELLO")) == 1
        with pytest.raises(RuntimeError, match="already running"):
            await client.listen()


async def test_slow_upgrade(server: Scripted, client: BlueCurrentClient) -> None:
    """The service does not accept the long connection in time."""
    await client.validate_token()
    server.upgrade_delay = 1.0
    with pytest.raises(BlueCurrentConnectionError, match="did not accept in time"):
        await client.connect()
    assert not client.connected


async def test_hello_unanswered(server: Scripted, client: BlueCurrentClient) -> None:
    """The long connection opens, but HELLO is never answered."""
    del server.answers["HELLO"]
    with pytest.raises(BlueCurrentConnectionError, match="did not answer HELLO"):
        await client.connect()
    assert not client.connected


async def test_refused_snapshot_part_does_not_hold_the_snapshot(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """A status request refused on receipt: the snapshot completes without that status."""
    answer_status = server.answers["GET_CH_STATUS"]
    server.answers["GET_CH_STATUS"] = lambda request: (
        [{"object": "RECEIVED_GET_CH_STATUS", "evse_id": OTHER, "error": "Not authorized"}]
        if request["evse_id"] == OTHER
        else answer_status(request)
    )
    async with listening(client):
        assert client.data.charge_points[EVSE_ID].status is not None
        assert client.data.charge_points[OTHER].status is None


async def test_request_limit_error_ends_the_connection(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """ERROR 42 answering a request: that request and the connection end at the limit."""
    async with listening(client) as task:
        server.answers["GET_CH_STATUS"] = lambda _: [
            {"object": "ERROR", "error": 42, "message": "Request limit reached"}
        ]
        with pytest.raises(RequestLimitReachedError):
            await client.refresh_status(EVSE_ID)
        with pytest.raises(RequestLimitReachedError):
            async with asyncio.timeout(5):
                await asyncio.shield(task)


async def test_failing_listener_does_not_stop_the_others(
    server: Scripted, client: BlueCurrentClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A listener that raises is counted and logged; the others still hear of the update."""
    heard: list[Update] = []

    def broken(update: Update) -> None:
        raise ValueError(update)

    client.add_listener(broken)
    client.add_listener(heard.append)
    async with listening(client):
        pushed = status_data(actual_kwh=20.0, activity="available")
        with caplog.at_level(logging.ERROR):
            await server.push({"object": "CH_STATUS", "evse_id": EVSE_ID, "data": pushed})
            await settle(lambda: client.stats.listener_failures >= 1)
        assert heard
        assert "An update listener failed" in caplog.text


async def test_pushes_about_unlisted_charge_points_are_ignored(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """Status and settings of a charge point the account did not list change nothing."""
    async with listening(client):
        before = client.data
        stranger = "BCU999999"
        await server.push(
            {"object": "CH_STATUS", "evse_id": stranger, "data": status_data(evse_id=stranger)},
            {
                "object": "CH_SETTINGS",
                "evse_id": stranger,
                "data": settings_data(evse_id=stranger),
            },
            bodies()["GRID_CURRENT"],
        )
        await settle(lambda: client.data.grid is not before.grid)
        assert stranger not in client.data.charge_points
        assert client.data.charge_points == before.charge_points


async def test_unreadable_list_item_removes_no_charge_point(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """A list with an item it cannot identify keeps every known charge point."""
    async with listening(client):
        await server.push(
            {"object": "CHARGE_POINTS", "data": [charge_point_item(), {"evse_id": ["?"]}]},
            bodies()["GRID_CURRENT"],
        )
        await settle(lambda: client.data.grid is not None and client.data.grid.current_l1 == 14.0)
        assert set(client.data.charge_points) == {EVSE_ID, OTHER}


async def test_clearing_an_override_the_service_did_not_clear(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """``success: false`` on the clear confirmation is a refusal."""
    server.answers["POST_CLEAR_OVERRIDE_CURRENT"] = lambda _: [
        {"object": "POST_CLEAR_OVERRIDE_CURRENT", "success": False, "schedule_id": 7}
    ]
    async with listening(client):
        with pytest.raises(CommandRefusedError, match="not cleared"):
            await client.clear_current_override("7")


async def test_block_that_the_activity_never_shows(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """Accepted, but the status never turns unavailable, even when asked again: a timeout.

    The press returned on acceptance; the timeout is the verdict's.
    """
    server.answers["SET_INOPERATIVE"] = lambda request: [
        {"object": "RECEIVED_SET_INOPERATIVE", "evse_id": request["evse_id"], "error": ""},
        {"object": "STATUS_SET_INOPERATIVE", "evse_id": request["evse_id"], "error": ""},
    ]
    async with listening(client):
        status_requests = len(server.commands("GET_CH_STATUS"))
        verdict = await client.set_blocked(EVSE_ID, True)  # accepted
        with pytest.raises(CommandTimeoutError, match="does not show it"):
            await verdict.wait()
        assert len(server.commands("GET_CH_STATUS")) > status_requests
        assert client.stats.commands_timed_out >= 1


async def test_verdict_without_acceptance(server: Scripted, client: BlueCurrentClient) -> None:
    """The charge point's verdict may come without the service's receipt first."""
    server.answers["START_SESSION"] = lambda request: [
        {"object": "STATUS_START_SESSION", "evse_id": request["evse_id"], "error": ""}
    ]
    async with listening(client):
        verdict = await client.start_session(EVSE_ID)
        assert verdict.settled
        await verdict.wait()


async def test_listener_removal_and_customer_id(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """A removed listener hears nothing more (removing twice is fine); the id is kept."""
    heard: list[Update] = []
    remove = client.add_listener(heard.append)
    remove()
    remove()
    assert client.customer_id is None
    async with listening(client):
        assert client.customer_id == "C1"
    assert heard == []


async def test_credentials_refused_at_hello(server: Scripted, client: BlueCurrentClient) -> None:
    """HELLO answered with ERROR 1: the session is refused and the connection closed."""
    server.answers["HELLO"] = lambda _: [
        {"object": "ERROR", "error": 1, "message": "Invalid Auth Token"}
    ]
    with pytest.raises(InvalidApiTokenError):
        await client.connect()
    assert not client.connected


async def test_cancelled_listener_ends_the_connection(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """Cancelling listen() closes the connection; commands then say it is not connected."""
    await client.connect()
    task = asyncio.create_task(client.listen())  # type: ignore[var-annotated,arg-type]
    async with asyncio.timeout(5):
        await client.wait_for_snapshot()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not client.connected
    with pytest.raises(NotConnectedError):
        await client.refresh_status(EVSE_ID)


async def test_verdict_pending_when_the_connection_ends(
    server: Scripted, client: BlueCurrentClient
) -> None:
    """An accepted command whose verdict never came fails with the connection's end."""
    server.answers["START_SESSION"] = lambda request: [
        {"object": "RECEIVED_START_SESSION", "evse_id": request["evse_id"], "error": ""}
    ]
    async with listening(client):
        verdict = await client.start_session(EVSE_ID)
        assert not verdict.settled
        await server.push(CLOSE)
        with pytest.raises(NotConnectedError):
            async with asyncio.timeout(5):
                await verdict.wait()


async def test_verdict_that_never_comes(server: Scripted) -> None:
    """Accepted, then silence: the verdict times out."""
    server.answers["STOP_SESSION"] = lambda request: [
        {"object": "RECEIVED_STOP_SESSION", "evse_id": request["evse_id"], "error": ""}
    ]
    async with aiohttp.ClientSession() as session:
        client = BlueCurrentClient(
            session, "api-token", url=server.url, request_timeout=0.3, verdict_timeout=0.2
        )
        async with listening(client):
            verdict = await client.stop_session(EVSE_ID)
            with pytest.raises(CommandTimeoutError):
                async with asyncio.timeout(5):
                    await verdict.wait()
