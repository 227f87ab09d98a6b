"""The smart-charging select: one profile at a time, permissions, refusals, the old switches."""

from __future__ import annotations

from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, Simulator
from tests.platforms.conftest import call, settle

CHARGER = "BCU100001"
SELECT = "select.charger_1_smart_charging"


async def choose(hass: HomeAssistant, option: str) -> None:
    """Pick ``option`` in the select, as the UI does."""
    await call(hass, SELECT_DOMAIN, SERVICE_SELECT_OPTION, SELECT, **{ATTR_OPTION: option})


def state(hass: HomeAssistant) -> str:
    """The select's state."""
    current = hass.states.get(SELECT)
    assert current is not None
    return current.state


async def test_each_mode_turns_the_other_profile_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """Off -> price-based -> delayed -> off: the service only ever runs one profile."""
    charge_point = sim_account.charge_points[CHARGER]
    current = hass.states.get(SELECT)
    assert current is not None
    assert current.state == "off"
    assert current.attributes["options"] == ["off", "delayed", "price_based"]

    await choose(hass, "price_based")
    await settle(hass, lambda: state(hass) == "price_based")
    assert charge_point.price_based.enabled
    assert not charge_point.delayed.enabled

    await choose(hass, "delayed")
    await settle(hass, lambda: state(hass) == "delayed")
    assert charge_point.delayed.enabled
    # The service leaves the other profile on; the client switched it off first.
    assert not charge_point.price_based.enabled
    assert [r["value"] for r in simulator.requests("SET_PRICE_BASED_CHARGING")] == [True, False]

    await choose(hass, "off")
    await settle(hass, lambda: state(hass) == "off")
    assert not charge_point.delayed.enabled
    assert not charge_point.price_based.enabled
    # Off sends only what is on: nothing for price-based, which was off already.
    assert [r["value"] for r in simulator.requests("SET_DELAYED_CHARGING")] == [True, False]
    assert len(simulator.requests("SET_PRICE_BASED_CHARGING")) == 2

    # Choosing what is on already costs no request.
    await choose(hass, "off")
    assert len(simulator.requests("SET_DELAYED_CHARGING")) == 2


async def test_follows_changes_made_elsewhere(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """A profile switched in the app shows; both on (the service allows it) is unknown."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.delayed.enabled = True
    await simulator.push_changes()
    await settle(hass, lambda: state(hass) == "delayed")
    charge_point.price_based.enabled = True
    await simulator.push_changes()
    await settle(hass, lambda: state(hass) == "unknown")
    # Picking one repairs it: the other goes off.
    await choose(hass, "price_based")
    await settle(hass, lambda: state(hass) == "price_based")
    assert not charge_point.delayed.enabled


@pytest.mark.parametrize(
    ("read_only", "on_before", "option"),
    [
        ("delayed_charging", None, "delayed"),  # the chosen profile is read-only
        ("price_based_charging", "price_based", "delayed"),  # the one to turn off is
        ("delayed_charging", "delayed", "off"),
    ],
)
async def test_read_only_profiles_are_not_changed(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_account: SimAccount,
    mock_config_entry: MockConfigEntry,
    read_only: str,
    on_before: str | None,
    option: str,
) -> None:
    """Without write permission nothing is sent and a translated error says why."""
    charge_point = sim_account.charge_points[CHARGER]
    charge_point.permissions[read_only] = "read"
    if on_before == "delayed":
        charge_point.delayed.enabled = True
    elif on_before == "price_based":
        charge_point.price_based.enabled = True
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    before = state(hass)
    current = hass.states.get(SELECT)
    assert current is not None
    assert current.attributes["editable"] is False

    with pytest.raises(ServiceValidationError) as caught:
        await choose(hass, option)
    assert caught.value.translation_key == "setting_not_editable"
    assert not simulator.requests("SET_DELAYED_CHARGING")
    assert not simulator.requests("SET_PRICE_BASED_CHARGING")
    assert state(hass) == before


async def test_a_refusal_raises_and_changes_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    sim_account: SimAccount,
) -> None:
    """The service refuses: a translated error, the select stays off."""
    simulator.fail_next("SET_PRICE_BASED_CHARGING", "Refused by the simulator")
    with pytest.raises(HomeAssistantError) as caught:
        await choose(hass, "price_based")
    assert caught.value.translation_key == "command_refused"
    assert state(hass) == "off"
    assert not sim_account.charge_points[CHARGER].price_based.enabled


async def test_profile_switches_start_disabled_and_keep_their_ids(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The select replaces the two switches: new installations get them disabled."""
    registry = er.async_get(hass)
    for key in ("delayed_charging", "price_based_charging"):
        entity_id = registry.async_get_entity_id("switch", "blue_current", f"{key}_{CHARGER}")
        assert entity_id is not None, key
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    select = registry.async_get(SELECT)
    assert select is not None
    assert select.unique_id == f"smart_charging_mode_{CHARGER}"
    assert select.disabled_by is None


async def test_existing_profile_switches_stay_enabled(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An installation that had the switches keeps them enabled: nothing is migrated away."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    existing = registry.async_get_or_create(
        "switch",
        "blue_current",
        f"delayed_charging_{CHARGER}",
        config_entry=mock_config_entry,
        suggested_object_id="charger_1_delayed_charging",
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    kept = registry.async_get(existing.entity_id)
    assert kept is not None
    assert kept.disabled_by is None
    assert hass.states.get("switch.charger_1_delayed_charging") is not None
