"""No deprecation reported by Home Assistant about this integration, in either environment.

Home Assistant reports a custom integration's use of something deprecated as a WARNING log
record (``report_usage``: "Detected that custom integration 'blue_current' ... This will stop
working in ...", or "... is deprecated ..."), and Python code as a ``DeprecationWarning``.
Setup, a control, a device-based action, reload and unload are each run and checked, so the
2026 conventions stay in place: ``DeviceEntry.config_entry_id`` instead of ``config_entries``
(warns from 2026.10), ``async_get_device_by_identifier``, ``AddConfigEntryEntitiesCallback``,
no update listener beside the reload helpers (an error from 2026.12).
"""

from __future__ import annotations

import logging
import re
import warnings

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount
from custom_components.blue_current.const import DOMAIN
from tests.platforms.conftest import device_id

DEPRECATION = re.compile(
    r"deprecat|will stop working|stop working in|report_usage|which is not supported", re.I
)
OURS = re.compile(r"blue_current|custom integration", re.I)
CHARGER = "BCU100001"


def _reported(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and DEPRECATION.search(record.getMessage())
        and OURS.search(record.getMessage() + record.name)
    ]


async def test_no_deprecation_reported(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sim_account: SimAccount,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup, a switch, an action on a device, reload and unload: nothing deprecated."""
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as python_warnings:
        warnings.simplefilter("always", DeprecationWarning)
        warnings.simplefilter("always", PendingDeprecationWarning)
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert mock_config_entry.state is ConfigEntryState.LOADED
        assert _reported(caplog) == [], "during setup"

        switch = next(
            state.entity_id
            for state in hass.states.async_all("switch")
            if state.entity_id.endswith("plug_charge") and state.state == "on"
        )
        await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
        await hass.async_block_till_done()
        assert hass.states.get(switch).state == "off"  # type: ignore[union-attr]
        await hass.services.async_call(
            DOMAIN,
            "set_price_based_charging_settings",
            {"device_id": device_id(hass, CHARGER), "minimum_percentage": 40},
            blocking=True,
        )
        assert sim_account.charge_points[CHARGER].price_based.minimum_pct == 40
        assert _reported(caplog) == [], "during a control or an action"

        assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert mock_config_entry.state is ConfigEntryState.LOADED
        assert _reported(caplog) == [], "during reload"

        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
        assert _reported(caplog) == [], "during unload"

    ours = [
        f"{w.filename}:{w.lineno}: {w.message}"
        for w in python_warnings
        if issubclass(w.category, DeprecationWarning | PendingDeprecationWarning)
        and "blue_current" in w.filename
    ]
    assert ours == []


def test_the_check_recognises_home_assistants_wording(caplog: pytest.LogCaptureFixture) -> None:
    """The patterns match what report_usage logs for a custom integration (so it can fail)."""
    caplog.set_level(logging.WARNING)
    logging.getLogger("homeassistant.helpers.frame").warning(
        "Detected that custom integration 'blue_current' accesses device_entry.config_entries,"
        " which is deprecated and will be removed in Home Assistant 2027.10; this will stop"
        " working in Home Assistant 2027.10, please report it to the author of the"
        " 'blue_current' custom integration"
    )
    assert len(_reported(caplog)) == 1
