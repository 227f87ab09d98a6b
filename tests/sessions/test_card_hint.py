"""Which card a session is attributed to: Home Assistant's start command, if recent."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from custom_components.blue_current.const import DOMAIN
from custom_components.blue_current.coordinator import charge_point_device
from custom_components.blue_current.session_manager import loaded_manager

from .conftest import CHARGER, settle


async def test_a_start_command_long_ago_is_not_the_sessions(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The service refused (or never carried out) a start; a session that appears much later
    started otherwise (a card at the charge point): the default card, not the command's."""
    entry = init_integration
    manager = loaded_manager(hass, entry.entry_id)
    assert manager is not None
    charger = sim_account.charge_points[CHARGER]
    charger.plug_and_charge = False
    device = charge_point_device(dr.async_get(hass), entry.entry_id, CHARGER)
    assert device is not None
    simulator.fail_next("START_SESSION", "REJECTED")
    await hass.services.async_call(
        DOMAIN,
        "start_charge_session",
        {"device_id": device.id, "charging_card_id": sim_account.cards[1].card_id},
        blocking=True,
    )
    charger.plug_in(simulator.now, demand_kwh=100)
    charger.start_session(simulator.now, sim_account.cards[0].uid)
    # The session shows up after the window (a window already over stands for the time
    # passed: the simulator's clock drives sessions, Home Assistant's the window).
    with patch(
        "custom_components.blue_current.session_manager.START_HINT_WINDOW",
        timedelta(seconds=-1),
    ):
        await simulator.push_changes()
        await settle(
            hass,
            lambda: (
                manager.connection.data.charge_points[CHARGER].status is not None
                and manager.connection.data.charge_points[CHARGER].status.session_start is not None
            ),
        )
    await simulator.advance(600)
    charger.unplug(simulator.now)
    await simulator.push_changes()
    await settle(hass, lambda: len(manager.records) == 1)
    card = manager.records[0].card
    assert card is not None
    assert card.card_id == sim_account.cards[0].card_id
    assert card.source.value == "default"
