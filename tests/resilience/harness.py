"""One integration (ours, or Home Assistant's built-in one) against the simulator, observed.

Both are set up the way a user has them: a config entry with the API token. Core's library has
a hard-coded endpoint, which is pointed at the simulator; its fixed 5 s reconnect delay is
shortened as ours is (``fast_reconnect``), so that neither wins by waiting less.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass, field
import logging
from unittest.mock import patch

from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bluecurrent_simulator import SimAccount, SimChargePoint, Simulator
from custom_components.blue_current.const import CONF_ENDPOINT, DOMAIN

# Distinctive, so that a leak is found by searching for it.
SECRET_TOKEN = "bc-api-7f3a9c1e-resilience-secret"
CUSTOMER_ID = "C0001"
CHARGER = "BCU100001"
RECOVERY_SECONDS = 10.0


@contextlib.contextmanager
def core_pointed_at(simulator: Simulator) -> Iterator[None]:
    """Core's library on the simulator, reconnecting as fast as ours does in the suite."""
    import bluecurrent_api.websocket
    import homeassistant.components.blue_current as core

    with contextlib.ExitStack() as stack:
        # Names of the versions scripts/resilience compares (Home Assistant 2025.4); other
        # versions of core may lack them, and ours does not need them.
        if hasattr(bluecurrent_api.websocket, "URL"):
            stack.enter_context(patch.object(bluecurrent_api.websocket, "URL", simulator.url))
        if hasattr(core, "DELAY"):
            stack.enter_context(patch.object(core, "DELAY", 0.05))
        yield


@dataclass
class Observed:
    """One integration's config entry, and what a user would see of it."""

    hass: HomeAssistant
    simulator: Simulator
    target: str
    entry: MockConfigEntry
    went_unavailable: bool = False
    _unsubscribe: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def account(self) -> SimAccount:
        """The simulated account."""
        return self.simulator.accounts[SECRET_TOKEN]

    @property
    def charger(self) -> SimChargePoint:
        """The charge point whose session energy is watched."""
        return self.account.charge_points[CHARGER]

    @property
    def energy_entity(self) -> str:
        """The session energy sensor: the same unique id in both integrations."""
        entity_id = er.async_get(self.hass).async_get_entity_id(
            "sensor", DOMAIN, f"actual_kwh_{CHARGER}"
        )
        assert entity_id is not None
        return entity_id

    def energy(self) -> str | None:
        """The session energy shown."""
        state = self.hass.states.get(self.energy_entity)
        return state.state if state is not None else None

    def counts(self) -> tuple[int, int]:
        """Entities and devices of the entry (duplicates would change them)."""
        entities = er.async_entries_for_config_entry(er.async_get(self.hass), self.entry.entry_id)
        devices = dr.async_entries_for_config_entry(dr.async_get(self.hass), self.entry.entry_id)
        return len(entities), len(devices)

    def watch(self) -> None:
        """Remember whether the energy sensor went unavailable from now on."""
        self.went_unavailable = False

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is not None and new.state == STATE_UNAVAILABLE:
                self.went_unavailable = True

        if self._unsubscribe is None:
            from homeassistant.helpers.event import async_track_state_change_event

            self._unsubscribe = async_track_state_change_event(
                self.hass, [self.energy_entity], changed
            )

    async def new_energy(self) -> str:
        """Give the watched session more energy at the service; return what must be shown."""
        self.charger.session_energy_kwh = round(self.charger.session_energy_kwh + 1.234, 3)
        await self.simulator.push_changes()
        return str(self.charger.session_energy_kwh)

    async def shows(self, expected: str, seconds: float = RECOVERY_SECONDS) -> bool:
        """Whether the energy sensor shows ``expected`` within ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                while not _same_number(self.energy(), expected):
                    await asyncio.sleep(0.02)
                    await self.hass.async_block_till_done()
        except TimeoutError:
            return False
        return True

    def states_valid(self) -> bool:
        """Every entity's state is a value its kind allows (numeric sensors show numbers)."""
        registry = er.async_get(self.hass)
        for entity in er.async_entries_for_config_entry(registry, self.entry.entry_id):
            state = self.hass.states.get(entity.entity_id)
            if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
                continue
            if "unit_of_measurement" in state.attributes and not _is_number(state.state):
                return False
            options = state.attributes.get("options")
            if entity.domain == "sensor" and options and state.state not in options:
                return False
        return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _same_number(shown: str | None, expected: str) -> bool:
    return shown is not None and _is_number(shown) and abs(float(shown) - float(expected)) < 1e-6


async def set_up(
    hass: HomeAssistant, simulator: Simulator, target: str, endpoint: str | None = None
) -> Observed:
    """Add the account and set ``target``'s integration up against ``simulator``.

    ``endpoint`` replaces the simulator's URL in our config entry (core's is patched instead).
    """
    simulator.add_account(
        token=SECRET_TOKEN, customer_id=CUSTOMER_ID, email="owner@example.com", charge_points=3
    )
    data = {CONF_API_TOKEN: SECRET_TOKEN}
    if target == "ours":
        data[CONF_ENDPOINT] = endpoint or simulator.url
    else:
        # The built-in integration: no custom integration may shadow it.
        hass.data[loader.DATA_CUSTOM_COMPONENTS] = {}
        # Its crashed tasks are findings to record, as Home Assistant would log them; the
        # harness would otherwise re-raise them when the test ends.
        hass.loop.set_exception_handler(_log_crash)
    entry = MockConfigEntry(
        domain=DOMAIN, title="owner@example.com", unique_id=CUSTOMER_ID, data=data
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    observed = Observed(hass, simulator, target, entry)
    if entry.state is ConfigEntryState.LOADED:
        observed.watch()
    return observed


def _log_crash(_loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    logging.getLogger("homeassistant").error("Unhandled in a task: %s", context.get("message"))


def unhandled(records: list[logging.LogRecord]) -> list[str]:
    """Log records that a user would see as something broken: errors and tracebacks.

    Debug records may carry a traceback (asyncio logs reset connections so): nobody sees them.
    """
    return [
        f"{record.name}: {record.getMessage()[:200]}"
        for record in records
        if record.levelno >= logging.ERROR
        or (record.exc_info and record.levelno >= logging.WARNING)
    ]


def verdict(
    record: dict[str, bool],
    scenario: str,
    target: str,
    problems: dict[str, bool],
    records: list[logging.LogRecord],
) -> None:
    """Record whether ``target`` survived ``scenario``; for ours, fail the test if it did not."""
    failed = [problem for problem, happened in problems.items() if happened]
    record[f"{scenario}@{target}"] = not failed
    if target == "ours":
        assert not failed, (failed, unhandled(records))
