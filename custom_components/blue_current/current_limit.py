"""The charging current limit: a number backed by the service's current override.

evcc (and any automation) adjusts a charger's maximum current often, sometimes every few
seconds. Each change is a request, and the service allows only a daily budget of them per
account. So a charge point's limit changes at most once per ``CURRENT_LIMIT_INTERVAL``: the
first change goes out at once (and reports the service's answer), later ones within the
interval are coalesced and the last of them is sent when the interval is over. A value equal to
the one the service already applies costs nothing.

The limit is one override schedule per charge point that covers every day, all day
(``00:00``-``23:59``, ``MO``..``SU``) [guess: the service takes such a schedule as "always";
the simulator applies every schedule all the time]. It is created on the first change, then
edited; its id is kept across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import UnitOfElectricCurrent
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .api import CommandRefusedError, OverrideSchedule
from .const import DOMAIN, LOGGER
from .coordinator import BlueCurrentConnection
from .entity import ChargePointEntity, run_command

# IEC 61851: below 6 A a vehicle may not charge at all.
MINIMUM_CURRENT = 6.0
# At most one change per charge point this often (seconds): 1,440 requests a day at worst for
# an automation that never stops changing it, none while the value stays the same.
CURRENT_LIMIT_INTERVAL = 60.0
# Used as the maximum while the charge point has not reported its own.
FALLBACK_MAXIMUM = 32.0
# No AC charge point gives more (IEC 62196 plugs go up to 63 A, 80 A single-phase): a larger
# max_usage is a misreading, and would make a useless slider.
LARGEST_MAXIMUM = 80.0
ALL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_START = time(0, 0)
DAY_END = time(23, 59)

CURRENT_LIMIT = NumberEntityDescription(
    key="current_limit",
    translation_key="current_limit",
    device_class=NumberDeviceClass.CURRENT,
    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
    native_min_value=MINIMUM_CURRENT,
    native_step=1,
    mode=NumberMode.SLIDER,
)


def current_limit_numbers(
    connection: BlueCurrentConnection, evse_id: str
) -> list[CurrentLimitNumber]:
    """The limit, for charge points that report their maximum current."""
    status = connection.data.charge_points[evse_id].status
    if status is None or "max_usage" not in status.reported:
        return []
    return [CurrentLimitNumber(connection, CURRENT_LIMIT, evse_id)]


@dataclass(slots=True)
class LimitState(ExtraStoredData):
    """What a restart needs: the value the service applies and the schedule that holds it."""

    applied: float | None
    schedule_id: str | None

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {"applied": self.applied, "schedule_id": self.schedule_id}


def _covers_all_day(schedule: OverrideSchedule, evse_id: str) -> bool:
    """Whether ``schedule`` is one this number made (or could have) for ``evse_id``."""
    return (
        schedule.charge_points == (evse_id,)
        and schedule.start_time == DAY_START
        and schedule.stop_time == DAY_END
        and set(schedule.start_days) == set(ALL_DAYS)
    )


class CurrentLimitNumber(ChargePointEntity, NumberEntity, RestoreEntity):
    """The most current the charge point may give, in amperes, kept by a current override."""

    # It shows the value the service confirmed; its range follows the maximum current.
    _reads_status: frozenset[str] = frozenset({"max_usage"})

    def __init__(self, *args: Any) -> None:
        """Nothing applied until the service confirms a value (or a restart restores one)."""
        super().__init__(*args)
        self._applied: float | None = None
        self._schedule_id: str | None = None
        self._wanted: float | None = None  # a value waiting for the interval to pass
        self._last_sent: datetime | None = None
        self._timer: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the applied value and the schedule id."""
        extra = await self.async_get_last_extra_data()
        stored = extra.as_dict() if extra is not None else {}
        applied, schedule_id = stored.get("applied"), stored.get("schedule_id")
        if isinstance(applied, int | float) and not isinstance(applied, bool):
            self._applied = float(applied)
        if isinstance(schedule_id, str):
            self._schedule_id = schedule_id
        await super().async_added_to_hass()

    async def async_will_remove_from_hass(self) -> None:
        """A change still waiting is dropped with the entity."""
        self._cancel_timer()
        await super().async_will_remove_from_hass()

    @property
    def extra_restore_state_data(self) -> LimitState:
        """The applied value and its schedule."""
        return LimitState(self._applied, self._schedule_id)

    @property
    def native_max_value(self) -> float:
        """The charge point's maximum current (``max_usage``)."""
        data = self.charge_point
        status = data.status if data is not None else None
        maximum = status.max_usage if status is not None else None
        if maximum is None or maximum < MINIMUM_CURRENT:
            return FALLBACK_MAXIMUM
        return min(maximum, LARGEST_MAXIMUM)

    @property
    def native_value(self) -> float | None:
        """The limit the service confirmed; with none set here, the charge point's maximum."""
        return self._applied if self._applied is not None else self.native_max_value

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """A value that waits for the rate limit (the last one asked for)."""
        if self._wanted is None or self._last_sent is None:
            return None
        return {"pending_value": self._wanted}

    def shown_value(self) -> Any:
        """The state and its range."""
        return (self.native_value, self.native_max_value)

    async def async_set_native_value(self, value: float) -> None:
        """Apply ``value`` now, or when the rate limit allows (the last value wins)."""
        value = self._checked(value)
        self._wanted = value
        if self._timer is not None:
            self._write()  # the scheduled change will send this value instead
            return
        wait = self._wait()
        if wait > 0:
            self._timer = async_call_later(self.hass, wait, self._interval_over)
            self._write()
            return
        await self._apply()

    def _checked(self, value: float) -> float:
        maximum = self.native_max_value
        if value < MINIMUM_CURRENT:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="current_below_minimum",
                translation_placeholders={
                    "evse_id": self.evse_id,
                    "current": f"{value:g}",
                    "minimum": f"{MINIMUM_CURRENT:g}",
                },
            )
        if value > maximum:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="current_out_of_range",
                translation_placeholders={
                    "evse_id": self.evse_id,
                    "current": f"{value:g}",
                    "maximum": f"{maximum:g}",
                },
            )
        return float(round(value))

    def _wait(self) -> float:
        """Seconds until the next change may go out (0: now)."""
        if self._last_sent is None:
            return 0.0
        elapsed = (dt_util.utcnow() - self._last_sent).total_seconds()
        return max(CURRENT_LIMIT_INTERVAL - elapsed, 0.0)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _interval_over(self, _now: datetime) -> None:
        self._timer = None
        self.connection.entry.async_create_background_task(
            self.hass, self._apply_later(), f"{DOMAIN} current limit {self.evse_id}"
        )

    async def _apply_later(self) -> None:
        """The coalesced change: nobody waits for it, so a failure is logged.

        Disconnected, the value is kept and tried again an interval later (no request is spent
        while the connection is down): the last value asked for is applied once it is back.
        """
        value = self._wanted
        try:
            await self._apply()
        except HomeAssistantError as err:
            if err.translation_key == "not_connected" and value is not None:
                if self._wanted is None:
                    self._wanted = value
                if self._timer is None:
                    self._timer = async_call_later(
                        self.hass, CURRENT_LIMIT_INTERVAL, self._interval_over
                    )
                self._write()
                return
            LOGGER.warning(
                "%s: the charging current limit of %s A was not applied: %s",
                self.evse_id,
                f"{value:g}" if value is not None else "?",
                err,
            )

    async def _apply(self) -> None:
        """Send the wanted value, unless the service applies it already."""
        value = self._wanted
        if value is None:
            return
        if value == self._applied and self._schedule_id is not None:
            self._wanted = None
            self._write()
            return
        self._last_sent = dt_util.utcnow()  # a refused request was spent all the same
        try:
            await run_command(self.connection, lambda: self._send(value), self.evse_id)
        except HomeAssistantError:
            if self._wanted == value:
                self._wanted = None
            self._write()
            raise
        self._applied = value
        if self._wanted == value:
            self._wanted = None
        self._write()

    async def _send(self, value: float) -> None:
        """Edit this charge point's schedule, or make one (adopting an all-day one first)."""
        client = self.connection.client
        times: dict[str, Any] = {
            "start_time": DAY_START,
            "stop_time": DAY_END,
            "start_days": ALL_DAYS,
            "stop_days": ALL_DAYS,
            "current": value,
        }
        if self._schedule_id is None:
            # No restored id (a first change, or a lost store): an all-day schedule for this
            # charge point alone may exist already; editing it makes no duplicate.
            existing = await client.list_current_overrides()
            self._schedule_id = next(
                (s.schedule_id for s in existing if _covers_all_day(s, self.evse_id)), None
            )
        if self._schedule_id is not None:
            try:
                await client.edit_current_override(self._schedule_id, [self.evse_id], **times)
            except CommandRefusedError:
                # Removed meanwhile (the clear action, the portal): make a new one below.
                LOGGER.debug("%s: override schedule %s is gone", self.evse_id, self._schedule_id)
                self._schedule_id = None
            else:
                return
        schedule = await client.set_current_override([self.evse_id], **times)
        self._schedule_id = schedule.schedule_id if schedule is not None else None

    def _write(self) -> None:
        self._shown = self._what_is_shown()
        if self.hass is not None:
            self.async_write_ha_state()
