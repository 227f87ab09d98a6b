"""What evcc needs to drive a charge point through Home Assistant (README "evcc").

evcc's Home Assistant charger reads a status sensor with the IEC 61851 letters, turns an
enable switch and sets a number for the maximum current (``current_limit.py``). This module
has the letters and the switch.

The letters, from the service's ``vehicle_status``: A no vehicle, B vehicle connected (not
charging), C charging or ready to, E no power, F vehicle error. The service sends the letter
itself, but the client reads C and D alike as "ready" (D is C with ventilation, which no
vehicle on the market asks for), so D is shown as C. A letter the client does not know stays
that letter; words it does not know are unknown. The sensor's states are the letters in lower
case (Home Assistant's state translations take no capitals); README "evcc" maps them for evcc.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .api import Activity, ChargePointStatus, CommandVerdict, VehicleStatus
from .coordinator import BlueCurrentConnection
from .entity import ChargePointEntity, run_command
from .session_manager import note_session_start
from .verdicts import follow_verdict

# Lower case: Home Assistant's state translations take lower-case keys only (README "evcc" maps
# them for evcc with statusA/statusB/statusC).
IEC_STATES = ("a", "b", "c", "d", "e", "f")
_IEC_LETTERS: dict[VehicleStatus, str] = {
    VehicleStatus.STANDBY: "a",
    VehicleStatus.VEHICLE_DETECTED: "b",
    VehicleStatus.READY: "c",  # C or D on the wire: the client does not keep which
    VehicleStatus.CHARGING: "c",  # the word some documents show instead of the letter [D]
    VehicleStatus.NO_POWER: "e",
    VehicleStatus.VEHICLE_ERROR: "f",
}
# A session exists: charging, or held back by the delayed-charging window.
_SESSION_ACTIVITIES = frozenset({Activity.CHARGING, Activity.DELAYED})


def iec_state(status: ChargePointStatus) -> str | None:
    """The IEC 61851 letter (lower case) of the vehicle's state; None for an unknown word."""
    value = status.vehicle_status
    if value is None:
        return None
    if isinstance(value, VehicleStatus):
        return _IEC_LETTERS[value]
    letter = value.lower()
    return letter if letter in IEC_STATES else None


CHARGE_SESSION = SwitchEntityDescription(key="charge_session", translation_key="charge_session")


def charge_session_switches(
    connection: BlueCurrentConnection, evse_id: str
) -> list[ChargeSessionSwitch]:
    """The switch, for charge points that report their activity."""
    status = connection.data.charge_points[evse_id].status
    if status is None or "activity" not in status.reported:
        return []
    return [ChargeSessionSwitch(connection, CHARGE_SESSION, evse_id)]


class ChargeSessionSwitch(ChargePointEntity, SwitchEntity):
    """On while a session runs: turning it on starts one, off stops it (evcc's "enable").

    It shows the session the service reports, not the one asked for: the charge point's
    verdict comes about 30 s after the service accepted the command, and a refusal is then
    reported like a button's (a translated notification).
    """

    _reads_status: frozenset[str] = frozenset({"activity"})

    @property
    def is_on(self) -> bool | None:
        """Whether a session runs (charging, or waiting for the delayed-charging window)."""
        data = self.charge_point
        status = data.status if data is not None else None
        if status is None or status.activity is None:
            return None
        return status.activity in _SESSION_ACTIVITIES

    def shown_value(self) -> Any:
        """The state."""
        return self.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start a session with the card the card select shows (nothing if one runs)."""
        if self.is_on:
            return
        connection = self.connection
        uid = connection.selected_card(self.evse_id)
        # Before sending: the session's first status may come before the acceptance.
        note_session_start(connection.hass, connection.entry.entry_id, self.evse_id, uid)
        await self._run(lambda: connection.client.start_session(self.evse_id, uid))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the running session (nothing if none runs)."""
        if self.is_on is False:
            return
        await self._run(lambda: self.connection.client.stop_session(self.evse_id))

    async def _run(self, command: Any) -> None:
        verdict = await run_command(self.connection, command, self.evse_id)
        if isinstance(verdict, CommandVerdict):
            data = self.charge_point
            name = data.charge_point.display_name if data is not None else self.evse_id
            follow_verdict(self.connection, verdict, name)
