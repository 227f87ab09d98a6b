"""Values and commands that small mistakes break silently: each test fails on such a mistake.

Power with unequal phase voltages, current left in smart-charging mode, the session duration's
unit, attribute-only changes, reset against reboot, and credentials in refusals.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator, wire
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN
from tests.fixtures.simulator import SimulatorFactory

from .conftest import call, settle

CHARGER = "BCU100001"
PLUG_AND_CHARGE = "switch.charger_1_plug_charge"


def value(hass: HomeAssistant, entity_id: str) -> str | None:
    """The state, or None without an entity."""
    state = hass.states.get(entity_id)
    return state.state if state is not None else None


async def push_status(simulator: Simulator, account: SimAccount, **fields: Any) -> None:
    """The charge point's status as the simulator sends it, with ``fields`` changed."""
    message: dict[str, Any] = wire.status(account.charge_points[CHARGER])
    message["data"].update(fields)
    await simulator.push(message)


async def test_power_with_unequal_phase_voltages(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Power is the sum of V x I per phase: 220x10 + 230x16 + 240x6 W = 7.32 kW.

    Averages times the sum (7.36), core's averages x 1.732 (4.25) or any one phase's
    voltage for all (7.04 / 7.36 / 7.68) all give another number.
    """
    await push_status(
        simulator,
        sim_account,
        actual_v1=220.0,
        actual_v2=230.0,
        actual_v3=240.0,
        actual_p1=10.0,
        actual_p2=16.0,
        actual_p3=6.0,
    )
    await settle(hass, lambda: value(hass, "sensor.charger_1_power") == "7.32")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    ("smart_charging", "expected"),
    [(True, "2.0"), (False, "12.0")],
    ids=["smart charging: its maximum", "otherwise: the maximum"],
)
async def test_current_left_follows_the_maximum_that_applies(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
    smart_charging: bool,
    expected: str,
) -> None:
    """Current left = the applicable maximum - the average current (4 A here).

    16 A maximum, 6 A smart-charging maximum: 12 A left normally, 2 A with smart charging.
    """
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.delayed.enabled = smart_charging
    await simulator.push(wire.settings(charge_point))
    await push_status(
        simulator,
        sim_account,
        actual_p1=4.0,
        actual_p2=4.0,
        actual_p3=4.0,
        max_usage=16.0,
        smartcharging_max_usage=6.0,
    )
    await settle(hass, lambda: value(hass, "sensor.charger_1_current_left") == expected)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # diagnostic: disabled
async def test_session_duration_in_minutes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A 90-minute session shows 90 min (not 1.5, not 5400)."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_in(simulator.now, demand_kwh=100.0)
    await simulator.push_changes()
    await simulator.advance(5400)
    charge_point.unplug(simulator.now)
    await simulator.push_changes()
    entity = "sensor.charger_1_session_duration"
    await settle(hass, lambda: value(hass, entity) == "90")
    state = hass.states.get(entity)
    assert state is not None
    assert state.attributes["unit_of_measurement"] == "min"


async def test_attribute_only_change_is_written(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The owner takes away the permission, the value stays: the attribute still changes."""
    assert "editable" not in hass.states.get(PLUG_AND_CHARGE).attributes  # type: ignore[union-attr]
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.plug_and_charge_editable = False
    await simulator.push(wire.settings(charge_point))
    await settle(
        hass,
        lambda: hass.states.get(PLUG_AND_CHARGE).attributes.get("editable") is False,  # type: ignore[union-attr]
    )
    assert value(hass, PLUG_AND_CHARGE) == "on"


@pytest.mark.parametrize(
    ("button", "command", "other"),
    [("reset", "SOFT_RESET", "REBOOT"), ("reboot", "REBOOT", "SOFT_RESET")],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # rarely used: disabled
async def test_reset_and_reboot_send_their_own_command(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    button: str,
    command: str,
    other: str,
) -> None:
    """Reset is a soft reset, reboot a reboot: never the other one."""
    await call(hass, "button", "press", f"button.charger_1_{button}")
    assert [r["evse_id"] for r in simulator.requests(command)] == [CHARGER]
    assert simulator.requests(other) == []


SECRET = "s3cr3t-api-token-0123456789"


async def test_credentials_never_reach_the_user_in_a_refusal(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    """A refusal whose text quotes the credentials back reaches the user with them redacted.

    Over a live connection: the refusal really arrives and really becomes the error shown.
    """
    simulator = await simulator_factory()
    account = simulator.add_account(token=SECRET, customer_id="C9", charge_points=1)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="C9",
        data={CONF_API_TOKEN: SECRET, CONF_ENDPOINT: simulator.url},
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    session = account.session_token
    assert session
    simulator.fail_next("SET_PLUG_AND_CHARGE", f"token {SECRET} session {session} refused")
    entity_id = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"plug_and_charge_{CHARGER}"
    )
    assert entity_id is not None
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "switch", "turn_off", entity_id)
    assert refused.value.translation_key == "command_refused"
    shown = f"{refused.value} {refused.value.translation_placeholders}"
    assert "refused" in shown  # the reason did arrive...
    assert SECRET not in shown  # ...without the credentials
    assert session not in shown
    assert len(simulator.requests("SET_PLUG_AND_CHARGE")) == 1
