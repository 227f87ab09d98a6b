"""The simulator's sessions over real sockets: cards, costs from the tariff, sessions that end
while no client is connected, and current overrides that cap the charge point."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
import json
from typing import Any

import aiohttp
import pytest

from bluecurrent_simulator import SimAccount, Simulator
from bluecurrent_simulator.model import AMSTERDAM

CHARGER = "BCU100001"  # three phases, 16 A


class RawClient:
    """A bare websocket client of the simulator: one request, its answer."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, token: str) -> None:
        """Use ``socket`` with the session ``token``."""
        self.socket = socket
        self.token = token

    async def ask(self, command: str, answer: str, **fields: Any) -> dict[str, Any]:
        """Send ``command``; the first message whose object is ``answer`` (pushes skipped)."""
        await self.socket.send_json(
            {"command": command, "Authorization": f"Token {self.token}", **fields}
        )
        while True:
            message = json.loads(await self.socket.receive_str(timeout=5))
            if message.get("object") == answer:
                return message


@pytest.fixture
async def connect(simulator: Simulator, sim_account: SimAccount) -> AsyncGenerator[Any]:
    """Open long connections (HELLO sent) to the simulator; all closed after the test."""
    async with aiohttp.ClientSession() as session:
        sockets: list[aiohttp.ClientWebSocketResponse] = []

        async def open_one() -> RawClient:
            socket = await session.ws_connect(simulator.url)
            sockets.append(socket)
            client = RawClient(socket, sim_account.session_token)
            await client.ask("HELLO", "HELLO", header="test")
            return client

        yield open_one
        for socket in sockets:
            await socket.close()


def local(text: str) -> datetime:
    """A recorded-shape timestamp (``YYYYMMDD HH:MM:SS+HH:MM``)."""
    return datetime.strptime(text, "%Y%m%d %H:%M:%S%z").astimezone(AMSTERDAM)


async def test_a_session_that_ended_while_disconnected_shows_after_reconnect(
    simulator: Simulator, sim_account: SimAccount, connect: Any
) -> None:
    """The model goes on without clients; the next CH_STATUS carries the ended session."""
    charge_point = sim_account.charge_points[CHARGER]
    first = await connect()
    charge_point.plug_in(simulator.now, demand_kwh=5.0)
    started = simulator.now
    status = (await first.ask("GET_CH_STATUS", "CH_STATUS", evse_id=CHARGER))["data"]
    assert status["activity"] == "charging"
    assert status["stop_datetime"] == ""
    await first.socket.close()

    # 11.04 kW for an hour: the vehicle takes its 5 kWh and the session ends, unseen.
    await simulator.advance(3600)
    assert not charge_point.charging
    assert simulator.live_connections == 0

    again = await connect()
    status = (await again.ask("GET_CH_STATUS", "CH_STATUS", evse_id=CHARGER))["data"]
    assert status["activity"] == "available"
    assert status["actual_kwh"] == 5.0
    assert status["total_cost"] == pytest.approx(5.0 * 0.35, abs=0.01)
    start, stop = local(status["start_datetime"]), local(status["stop_datetime"])
    assert start == started.replace(microsecond=0)
    # It ended when the 5 kWh were in: 5 / 11.04 of an hour after the start.
    assert 1620 <= (stop - start).total_seconds() <= 1640
    await again.socket.close()


async def test_sessions_carry_the_card_and_cost_the_tariff(
    simulator: Simulator, sim_account: SimAccount, connect: Any
) -> None:
    """Plug & charge bills the default card; the cost is the start price plus kWh x price."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.tariff_eur_per_kwh = 0.40
    charge_point.tariff_start_eur = 1.25
    client = await connect()
    listed = await client.ask("GET_CHARGE_POINTS", "CHARGE_POINTS")
    tariff = next(item for item in listed["data"] if item["evse_id"] == CHARGER)["tariff"]
    assert (tariff["price_in_vat"], tariff["start_price_in_vat"]) == (0.40, 1.25)

    charge_point.plug_in(simulator.now, demand_kwh=3.0)
    await simulator.advance(3600)
    (session,) = charge_point.sessions
    assert session.card == sim_account.cards[0].uid == charge_point.default_card.uid  # type: ignore[union-attr]
    assert session.energy_kwh == 3.0
    assert session.cost == pytest.approx(1.25 + 3.0 * 0.40)
    status = (await client.ask("GET_CH_STATUS", "CH_STATUS", evse_id=CHARGER))["data"]
    assert status["total_cost"] == pytest.approx(session.cost)

    # A session started with another card is billed to that card.
    charge_point.plug_and_charge = False
    charge_point.unplug(simulator.now)
    charge_point.plug_in(simulator.now, demand_kwh=1.0)
    card = sim_account.cards[1]
    verdict = await client.ask(
        "START_SESSION", "STATUS_START_SESSION", evse_id=CHARGER, session_token=card.uid
    )
    assert verdict["success"] is True
    await simulator.advance(3600)
    assert [s.card for s in charge_point.sessions] == [sim_account.cards[0].uid, card.uid]
    await client.socket.close()


async def test_a_current_override_caps_the_charge_point(
    simulator: Simulator, sim_account: SimAccount, connect: Any
) -> None:
    """The lowest override naming a charge point caps its current until it is cleared."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now, demand_kwh=100.0)
    client = await connect()
    schedule = await client.ask(
        "POST_SET_OVERRIDE_CURRENT",
        "POST_SET_OVERRIDE_CURRENT",
        chargepoints=[CHARGER],
        overridestarttime="00:00",
        overridestoptime="23:59",
        overridestartdays=["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
        overridestopdays=["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
        overridevalue=8,
    )
    status = (await client.ask("GET_CH_STATUS", "CH_STATUS", evse_id=CHARGER))["data"]
    assert (status["actual_p1"], status["actual_p2"], status["actual_p3"]) == (8.0, 8.0, 8.0)
    before = charge_point.session_energy_kwh
    await simulator.advance(3600)
    assert charge_point.session_energy_kwh - before == pytest.approx(3 * 230 * 8 / 1000)
    # Other charge points are not capped.
    assert sim_account.charge_points["BCU100002"].override_current is None

    await client.ask(
        "POST_CLEAR_OVERRIDE_CURRENT",
        "POST_CLEAR_OVERRIDE_CURRENT",
        schedule_id=schedule["data"]["schedule_id"],
    )
    status = (await client.ask("GET_CH_STATUS", "CH_STATUS", evse_id=CHARGER))["data"]
    assert status["actual_p1"] == 16.0
    await client.socket.close()
