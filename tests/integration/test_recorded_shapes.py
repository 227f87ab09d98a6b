"""Against the real service's recorded shapes (the simulator's default), setup is complete.

The failure this guards against: the service sends `led_intensity` as an object, a parser that
expected a number dropped the whole settings message, and setup never finished. Here every
charge point's entities must carry a value, and the same holds when the service answers in
the shapes this project first guessed.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import Simulator
from custom_components.blue_current.const import DOMAIN
from tests.fixtures.simulator import SIM_CUSTOMER_ID, SIM_EMAIL, SIM_TOKEN, SimulatorFactory

# Entities whose "unknown" is what a user should see on an idle, fresh account: nothing was
# pressed, no session was ever charged, no charge point is offline.
_UNKNOWN_IS_RIGHT = (
    "button.",
    "event.",
    "_session_started",
    "_session_ended",
    "_session_duration",
    "_offline_since",
)


async def _set_up(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    simulator.add_account(
        token=SIM_TOKEN, customer_id=SIM_CUSTOMER_ID, email=SIM_EMAIL, charge_points=3
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=SIM_EMAIL,
        unique_id=SIM_CUSTOMER_ID,
        data={"api_token": SIM_TOKEN, "endpoint": simulator.url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.parametrize("shapes", ["recorded", "guessed"])
async def test_setup_completes_and_every_entity_has_a_value(
    hass: HomeAssistant, simulator_factory: SimulatorFactory, shapes: str
) -> None:
    """Setup finishes on the first try and nothing enabled is unavailable or silently unknown."""
    simulator = await simulator_factory(shapes=shapes)
    entry = await _set_up(hass, simulator)
    assert entry.state is ConfigEntryState.LOADED
    assert len(simulator.requests("GET_CHARGE_POINTS")) == 1  # no setup retry spent requests
    registry = er.async_get(hass)
    entities = [
        e for e in er.async_entries_for_config_entry(registry, entry.entry_id) if not e.disabled
    ]
    assert len(entities) > 3 * 20
    states = {e.entity_id: hass.states.get(e.entity_id) for e in entities}
    assert [eid for eid, state in states.items() if state is None] == []
    assert [eid for eid, s in states.items() if s is not None and s.state == "unavailable"] == []
    unknown = [
        eid
        for eid, s in states.items()
        if s is not None and s.state == "unknown" and not any(m in eid for m in _UNKNOWN_IS_RIGHT)
    ]
    assert unknown == []


async def test_recorded_settings_reach_the_entities(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    """Permissions inside the recorded objects decide what a user may change."""
    simulator = await simulator_factory()
    simulator.add_account(
        token=SIM_TOKEN, customer_id=SIM_CUSTOMER_ID, email=SIM_EMAIL, charge_points=1
    )
    charge_point = next(iter(simulator.accounts[SIM_TOKEN].charge_points.values()))
    charge_point.permissions["plug_and_charge"] = "none"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=SIM_EMAIL,
        unique_id=SIM_CUSTOMER_ID,
        data={"api_token": SIM_TOKEN, "endpoint": simulator.url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    switch = registry.async_get_entity_id(
        "switch", DOMAIN, f"plug_and_charge_{charge_point.evse_id}"
    )
    assert switch is not None
    state = hass.states.get(switch)
    assert state is not None
    assert state.attributes.get("editable") is False
