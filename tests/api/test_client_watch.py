"""A connection that stays open but carries nothing (core issue 110999) is noticed and ended.

The client asks for one status after a silence (shorter while a charge point is active);
an answer proves the line alive, no answer ends the connection so that the caller reconnects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import aiohttp
import pytest

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.api import (
    BlueCurrentClient,
    BlueCurrentConnectionError,
    NotConnectedError,
    VehicleStatus,
)
from tests.fixtures.simulator import SIM_TOKEN

from .test_client_live import CHARGER, until


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """The caller's session."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def _listening(
    client: BlueCurrentClient,
) -> asyncio.Task[None]:
    await client.connect()
    task: asyncio.Task[None] = asyncio.create_task(client.listen())  # type: ignore[arg-type]
    async with asyncio.timeout(5):
        await client.wait_for_snapshot()
    return task


async def _stop(client: BlueCurrentClient, task: asyncio.Task[None]) -> None:
    await client.disconnect()
    with pytest.raises(NotConnectedError):
        await task


def _status_requests(simulator: Simulator) -> int:
    return len(simulator.requests("GET_CH_STATUS"))


async def test_silent_connection_is_probed_and_kept_when_it_answers(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Silence, a status request, its answer: the connection stays, one request spent."""
    client = BlueCurrentClient(
        session, SIM_TOKEN, url=simulator.url, request_timeout=0.5, silence=(0.2, 0.2)
    )
    task = await _listening(client)
    before = _status_requests(simulator)
    await until(lambda: _status_requests(simulator) > before)
    assert client.connected
    assert not task.done()
    await _stop(client, task)


async def test_silent_connection_that_does_not_answer_is_ended(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """The service stops answering while the socket stays open: listen ends, to reconnect."""
    client = BlueCurrentClient(
        session, SIM_TOKEN, url=simulator.url, request_timeout=0.3, silence=(0.2, 0.2)
    )
    task = await _listening(client)
    simulator.stall(True)
    with pytest.raises(BlueCurrentConnectionError, match="stopped sending"):
        async with asyncio.timeout(5):
            await task
    assert not client.connected


async def test_active_charge_point_shortens_the_allowed_silence(
    simulator: Simulator, sim_account: SimAccount, session: aiohttp.ClientSession
) -> None:
    """Idle, an hour of silence is normal; with a vehicle charging, it is not."""
    client = BlueCurrentClient(
        session, SIM_TOKEN, url=simulator.url, request_timeout=0.5, silence=(0.2, 3600.0)
    )
    task = await _listening(client)
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now)
    await simulator.push_changes()
    await until(
        lambda: (
            (status := client.data.charge_points[CHARGER].status) is not None
            and status.vehicle_status not in (None, VehicleStatus.STANDBY)
        )
    )
    before = _status_requests(simulator)
    await until(lambda: _status_requests(simulator) > before)
    assert client.connected
    await _stop(client, task)


async def test_unanswered_snapshot_requests_are_asked_again_then_given_up(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A status that never comes: asked once more, then the snapshot completes without it."""
    # The three first requests and the first retry go unanswered.
    simulator.ignore_next("GET_CH_STATUS", count=4)
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url, request_timeout=0.3)
    await client.connect()
    task: asyncio.Task[None] = asyncio.create_task(client.listen())  # type: ignore[arg-type]
    async with asyncio.timeout(5):
        await client.wait_for_snapshot()
    asked = [r["evse_id"] for r in simulator.requests("GET_CH_STATUS")]
    assert sorted(asked) == sorted(2 * list(client.data.charge_points))
    missing = [e for e, data in client.data.charge_points.items() if data.status is None]
    assert missing == [CHARGER]
    await _stop(client, task)


async def test_missing_charge_point_list_fails_the_snapshot(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """No CHARGE_POINTS even when asked again: waiting ends with a reason, not forever."""
    simulator.ignore_next("GET_CHARGE_POINTS", count=2)
    client = BlueCurrentClient(session, SIM_TOKEN, url=simulator.url, request_timeout=0.3)
    await client.connect()
    task: asyncio.Task[None] = asyncio.create_task(client.listen())  # type: ignore[arg-type]
    with pytest.raises(BlueCurrentConnectionError, match="did not list"):
        async with asyncio.timeout(5):
            await client.wait_for_snapshot()
    await _stop(client, task)
