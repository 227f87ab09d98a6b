"""The client against the simulator over real sockets: every command and every failure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from datetime import time
import json
import logging

import aiohttp
import pytest

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.api import (
    Activity,
    AlreadyConnectedError,
    BlueCurrentClient,
    BlueCurrentConnectionError,
    CommandRefusedError,
    CommandTimeoutError,
    InvalidApiTokenError,
    NotConnectedError,
    RequestLimitReachedError,
    Update,
    UpdateKind,
)
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN, SimulatorFactory

CHARGER = "BCU100001"


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """The caller's session, as Home Assistant would pass its shared one."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


class Running:
    """A connected client whose listener runs in the background."""

    def __init__(self, client: BlueCurrentClient) -> None:
        self.client = client
        self.task: asyncio.Task[None] | None = None
        self.updates: list[Update] = []
        client.add_listener(self.updates.append)

    async def start(self) -> None:
        await self.client.connect()
        self.task = asyncio.create_task(self.client.listen())  # type: ignore[arg-type]
        async with asyncio.timeout(5):
            await self.client.wait_for_snapshot()

    async def stop(self) -> None:
        await self.client.disconnect()
        if self.task is not None:
            with pytest.raises(NotConnectedError):
                await self.task


@pytest.fixture
async def running(simulator: Simulator, session: aiohttp.ClientSession) -> AsyncGenerator[Running]:
    """A client connected to the simulator's account, snapshot received."""
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url, request_timeout=0.5)
    run = Running(client)
    await run.start()
    yield run
    await run.stop()


async def test_account(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """Token validation and account lookup on short connections."""
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url)
    assert await client.validate_token() == SIM_CUSTOMER_ID
    account = await client.get_account()
    assert (account.customer_id, account.email) == (SIM_CUSTOMER_ID, SIM_EMAIL)
    assert simulator.live_connections == 0


async def test_bad_token(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """A refused token is an authentication error, not a connection error."""
    client = BlueCurrentClient(session, "wrong", url=simulator.url)
    with pytest.raises(InvalidApiTokenError):
        await client.validate_token()
    with pytest.raises(InvalidApiTokenError):
        await client.connect()


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("Request limit reached", RequestLimitReachedError),
        ("Already connected", AlreadyConnectedError),
        ("Maintenance", BlueCurrentConnectionError),
    ],
)
async def test_rejections_are_classified(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    reason: str,
    error: type[Exception],
) -> None:
    """Each rejection of the upgrade raises its own error."""
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url)
    simulator.reject_next_upgrades(reason)
    with pytest.raises(error):
        await client.validate_token()


async def test_unreachable(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    """Nothing listening is a transient connection error."""
    client = BlueCurrentClient(session, SIM_TOKEN, url="ws://127.0.0.1:9/haserver")
    with pytest.raises(BlueCurrentConnectionError):
        await client.connect()


async def test_snapshot(running: Running, sim_account: SimAccount) -> None:
    """HELLO, then every charge point's status and settings, the grid and the cards."""
    data = running.client.data
    assert list(data.charge_points) == list(sim_account.charge_points)
    assert all(cp.status and cp.settings for cp in data.charge_points.values())
    assert data.grid is not None
    assert data.cards is not None
    assert len(data.cards) == 2
    kinds = {update.kind for update in running.updates}
    assert kinds == set(UpdateKind)


async def test_snapshot_is_pipelined(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """Every status and settings request goes out without waiting for the answers."""
    simulator.ignore_next("GET_CH_STATUS", 3)
    simulator.ignore_next("GET_CH_SETTINGS", 3)
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url, request_timeout=1)
    await client.connect()
    listening = asyncio.create_task(client.listen())  # type: ignore[arg-type]
    await until(lambda: len(simulator.requests("GET_CH_SETTINGS")) == 3)
    assert len(simulator.requests("GET_CH_STATUS")) == 3
    assert len(simulator.requests("GET_GRID_STATUS")) == 1
    await client.disconnect()
    with pytest.raises(NotConnectedError):
        await listening


async def until(condition: Callable[[], bool]) -> None:
    """Wait (briefly) for something the other side does."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.005)


async def received(client: BlueCurrentClient, count: int) -> None:
    """Wait until the client has read ``count`` more frames."""
    stats = client.stats
    seen = stats.messages_received + stats.messages_dropped
    await until(
        lambda: client.stats.messages_received + client.stats.messages_dropped >= seen + count
    )


async def test_settings_commands(running: Running, sim_account: SimAccount) -> None:
    """Setters return the value the service confirmed, and the data follows."""
    client = running.client
    charge_point = sim_account.charge_points[CHARGER]
    assert await client.set_plug_and_charge(CHARGER, False) is False
    assert charge_point.plug_and_charge is False
    assert await client.set_linked_charge_cards_only(CHARGER, True) is True
    assert charge_point.public_charging is False
    await client.set_delayed_charging(CHARGER, True)
    await client.save_delayed_charging_schedule(CHARGER, [1, 3], time(23, 0), time(5, 30))
    assert charge_point.delayed.days == [1, 3]
    assert (charge_point.delayed.start_time, charge_point.delayed.end_time) == ("23:00", "05:30")
    await client.override_delayed_charging(CHARGER, True)
    assert charge_point.delayed.window_overridden
    await client.set_price_based_charging(CHARGER, True)
    assert charge_point.price_based.enabled
    assert not charge_point.delayed.enabled
    await client.update_price_based_charging(
        CHARGER,
        departure_time=time(8, 15),
        minimum_pct=50,
        battery_size_kwh=75,
        current_battery_pct=30,
    )
    assert charge_point.price_based.expected_leave_time == "08:15"
    assert charge_point.price_based.minimum_pct == 50

    def profile_updated() -> bool:
        settings = client.data.charge_points[CHARGER].settings
        profile = settings.price_based_charging if settings else None
        return profile is not None and profile.minimum_pct == 50

    await until(profile_updated)


async def test_session_commands(
    running: Running, simulator: Simulator, sim_account: SimAccount
) -> None:
    """Start with the app or a card, boost, stop, block, restart."""
    client = running.client
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge = False
    charge_point.plug_in(simulator.now)
    card = sim_account.cards[0]
    await (await client.start_session(CHARGER, card.uid)).wait()
    assert charge_point.charging
    assert charge_point.session_card == card.uid
    await client.set_price_based_charging(CHARGER, True)
    await client.boost(CHARGER, True)
    assert charge_point.boosting
    await (await client.stop_session(CHARGER)).wait()
    assert not charge_point.charging
    await (await client.start_session(CHARGER)).wait()
    assert charge_point.session_card is None
    await (await client.set_blocked(CHARGER, True)).wait()
    assert charge_point.blocked
    assert is_blocked(client)
    await (await client.set_blocked(CHARGER, False)).wait()
    assert not is_blocked(client)
    await (await client.soft_reset(CHARGER)).wait()
    await (await client.reboot(CHARGER)).wait()
    assert charge_point.reboots == 2
    await client.refresh_status(CHARGER)
    await client.refresh_settings(CHARGER)
    await client.refresh_cards()
    await client.refresh_charge_points()


async def test_refused_commands(running: Running, simulator: Simulator) -> None:
    """A refusal reaches the caller with the service's reason."""
    client = running.client
    with pytest.raises(CommandRefusedError, match=r"(?i)no active session"):
        await (await client.stop_session(CHARGER)).wait()
    simulator.fail_next("SET_PLUG_AND_CHARGE", "Not now")
    with pytest.raises(CommandRefusedError, match="Not now"):
        await client.set_plug_and_charge(CHARGER, False)
    simulator.fail_next("SET_PRICE_BASED_CHARGING", "No tariff")
    with pytest.raises(CommandRefusedError, match="No tariff"):
        await client.set_price_based_charging(CHARGER, True)
    with pytest.raises(CommandRefusedError):
        await client.stop_session("NOT-MINE")  # ERROR 2, attributed to this request


async def test_unacknowledged_command_times_out(running: Running, simulator: Simulator) -> None:
    """No acknowledgement within the timeout: the caller learns the outcome is unknown."""
    simulator.ignore_next("SOFT_RESET")
    with pytest.raises(CommandTimeoutError):
        await running.client.soft_reset(CHARGER)
    await running.client.reboot(CHARGER)  # the connection is still usable


async def test_current_overrides(running: Running, sim_account: SimAccount) -> None:
    """Schedule, list, change and clear a current override."""
    client = running.client
    schedule = await client.set_current_override(
        [CHARGER],
        start_time=time(17, 0),
        stop_time=time(21, 0),
        start_days=["MO", "TU"],
        stop_days=["MO", "TU"],
        current=10,
    )
    assert schedule.current == 10
    assert schedule.start_days == ("MO", "TU")
    assert sim_account.charge_points[CHARGER].override_current == 10
    edited = await client.edit_current_override(
        schedule.schedule_id,
        [CHARGER],
        start_time=time(18, 0),
        stop_time=time(22, 0),
        start_days=["WE"],
        stop_days=["WE"],
        current=8,
    )
    assert edited.current == 8
    assert [s.schedule_id for s in await client.list_current_overrides()] == [schedule.schedule_id]
    await client.clear_current_override(schedule.schedule_id)
    assert await client.list_current_overrides() == []
    with pytest.raises(CommandRefusedError):
        await client.clear_current_override(schedule.schedule_id)


def is_blocked(client: BlueCurrentClient) -> bool:
    """What the client's data says: a blocked charge point's activity is ``unavailable``."""
    status = client.data.charge_points[CHARGER].status
    assert status is not None
    return status.activity is Activity.UNAVAILABLE


async def test_commands_need_the_connection(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A command without a connection fails at once, clearly."""
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url)
    with pytest.raises(NotConnectedError):
        await client.stop_session(CHARGER)
    with pytest.raises(NotConnectedError):
        await client.listen()


@pytest.mark.parametrize(
    "frame",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"no_object": True}),
        json.dumps({"object": "SURPRISE", "data": 1}),
        json.dumps({"object": "CH_STATUS", "data": "wrong"}),
        json.dumps({"object": "CH_STATUS", "data": {"actual_v1": "high"}}),
        json.dumps({"object": "CH_SETTINGS"}),
        json.dumps({"object": "GRID_CURRENT", "grid_actual_p1": [1]}),
        json.dumps({"object": "CHARGE_POINTS", "data": [{"name": 1}]}),
        json.dumps({"object": "ERROR", "error": 9, "message": "Nobody asked"}),
        json.dumps({"object": "STATUS_STOP_SESSION", "evse_id": "BCU100001", "error": ""}),
    ],
)
async def test_hostile_messages_never_end_the_connection(
    running: Running, simulator: Simulator, frame: str
) -> None:
    """A malformed or unexpected message is dropped; the connection and the data stay."""
    before = running.client.data
    read = received(running.client, 1)
    await simulator.push_raw(frame)
    await read
    await running.client.reboot(CHARGER)  # still answered
    assert running.client.connected
    assert running.client.data.charge_points.keys() == before.charge_points.keys()


async def test_binary_frame_is_dropped(running: Running, simulator: Simulator) -> None:
    """A binary frame is not a message."""
    read = received(running.client, 1)
    await simulator.push_binary(b"\x00\x01")
    await read
    await running.client.reboot(CHARGER)
    assert running.client.stats.messages_dropped >= 1


async def test_drop_ends_listen_with_the_reason(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """listen() raises why the connection ended: transient, or the request limit."""
    for mode, error in (
        ("abrupt", BlueCurrentConnectionError),
        ("limit", RequestLimitReachedError),
    ):
        client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url, request_timeout=1)
        await client.connect()
        listening = asyncio.create_task(client.listen())  # type: ignore[arg-type]
        await client.wait_for_snapshot()
        await simulator.drop_connections(mode)  # type: ignore[arg-type]
        with pytest.raises(error):
            await listening
        assert not client.connected


async def test_two_accounts_side_by_side(
    simulator_factory: SimulatorFactory, session: aiohttp.ClientSession
) -> None:
    """Two clients in one process keep their own data."""
    simulator = await simulator_factory(one_connection_per_address=False)
    simulator.add_account(token="A", customer_id="CA", email="a@example.com", charge_points=1)
    other = simulator.add_account(
        token="B", customer_id="CB", email="b@example.com", charge_points=2
    )
    other.remove_charge_point("BCU100001")
    runs = [
        Running(BlueCurrentClient(session, token, url=simulator.url, request_timeout=1))
        for token in ("A", "B")
    ]
    for run in runs:
        await run.start()
    assert list(runs[0].client.data.charge_points) == ["BCU100001"]
    assert list(runs[1].client.data.charge_points) == ["BCU100002"]
    for run in runs:
        await run.stop()


async def test_no_credentials_in_logs(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    sim_account: SimAccount,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the API token nor the session token appear in any log line or error."""
    sim_account.token = "secret-api-token-123"
    simulator.accounts = {sim_account.token: sim_account}
    caplog.set_level(logging.DEBUG)
    client = BlueCurrentClient(session, sim_account.token, url=simulator.url, request_timeout=0.3)
    run = Running(client)
    await run.start()
    simulator.fail_next("REBOOT", "refused")
    with pytest.raises(CommandRefusedError) as refused:
        await (await client.reboot(CHARGER)).wait()
    read = received(client, 1)
    await simulator.push_raw(json.dumps({"object": "ERROR", "error": 1, "message": "x"}))
    await read
    await client.soft_reset(CHARGER)
    await run.stop()
    text = caplog.text + repr(client) + str(refused.value)
    assert sim_account.token not in text
    assert sim_account.session_token not in text


async def test_block_returns_on_acceptance_and_completes_with_the_status(
    running: Running, simulator: Simulator, sim_account: SimAccount
) -> None:
    """A charge point slow to block: the call returns at once, its verdict when it shows."""
    simulator.verdict_delay = 3600
    verdict = await running.client.set_blocked(CHARGER, True)
    assert not verdict.settled
    assert not is_blocked(running.client)
    await simulator.release_verdicts()
    async with asyncio.timeout(5):
        await verdict.wait()
    assert is_blocked(running.client)
    assert sim_account.charge_points[CHARGER].blocked
