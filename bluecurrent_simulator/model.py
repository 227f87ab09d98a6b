"""The live model behind the simulator: accounts, charge points, sessions and their physics.

Nothing here knows about websockets. The server turns the model into wire objects
(``wire.py``) and pushes whatever changed after each step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
import secrets
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PHASE_VOLTAGE = 230.0
HOUSEHOLD_LOAD_A = 2.0  # what the rest of the house draws on each phase of the grid connection
APP_SESSION_TOKEN = "BCU-APP"  # noqa: S105 - START_SESSION without a card [V]


@dataclass(frozen=True, slots=True)
class ChargePointModel:
    """A hardware model: its name and how many phases it charges on."""

    name: str
    phases: int
    max_current: float
    # The service's type name; UMOVE and HIDDEN are the ones seen [D][R]. [guess] which model
    # has which.
    chargepoint_type: str = "HIDDEN"


MODELS = (
    ChargePointModel("H:MOVE-3-22", 3, 32.0),
    ChargePointModel("H:PRO-1-7", 1, 32.0, "UMOVE"),
    ChargePointModel("H:MOVE-3-11", 3, 16.0),
)
PERMISSIONS = ("write", "read", "none")  # [R]; only "write" lets the user change a setting


@dataclass
class DelayedChargingProfile:
    """Charge only inside a weekly window."""

    enabled: bool = False
    start_time: str = "22:00"
    end_time: str = "06:00"
    days: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])
    window_overridden: bool = False

    def allows(self, now: datetime) -> bool:
        """Whether ``now`` (Amsterdam time) is inside the charging window.

        [guess] the window is when charging is allowed; outside it a plugged-in vehicle waits
        (activity ``delayed``). A window that ends before it starts runs past midnight and
        belongs to the day it starts on (days: 1 = Monday [R]).
        """
        local = now.astimezone(AMSTERDAM)
        start, end = _clock_time(self.start_time), _clock_time(self.end_time)
        moment, today = local.time(), local.isoweekday()
        yesterday = (today - 2) % 7 + 1
        if start <= end:
            return today in self.days and start <= moment < end
        return (today in self.days and moment >= start) or (yesterday in self.days and moment < end)


def _clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass
class PriceBasedProfile:
    """Charge when energy is cheapest, enough to leave with ``minimum_pct``."""

    enabled: bool = False
    expected_leave_time: str = "07:30"
    expected_kwh: float = 20.0
    minimum_kwh: float = 10.0
    minimum_pct: int = 20
    battery_size_kwh: float = 60.0
    current_battery_pct: int = 40


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """An ended session: its times, energy, cost (from the tariff) and card (uid, or None)."""

    start: datetime
    stop: datetime
    energy_kwh: float
    cost: float
    card: str | None


@dataclass
class SimChargePoint:
    """One charge point and whatever vehicle is plugged into it."""

    evse_id: str
    model: ChargePointModel
    name: str
    max_usage: float = 16.0
    smartcharging_max_usage: float = 6.0
    max_offline: float = 6.0
    tariff_eur_per_kwh: float = 0.35  # incl. VAT
    tariff_start_eur: float = 0.0  # incl. VAT, once per session
    plug_and_charge: bool = True
    plug_and_charge_editable: bool = True
    public_charging: bool = False
    public_charging_editable: bool = True
    # Per-setting permission ("write", "read", "none" [R]); settings not listed are "write",
    # except plug_and_charge / public_charging, which follow their *_editable flags.
    permissions: dict[str, str] = field(default_factory=dict)
    plug_and_charge_notification: bool = False
    publish_location: bool = False
    led_interaction: bool = True
    capacity_tariff: bool = False
    capacity_tariff_max_kwh: float = 4.0
    smart_charging_dynamic: bool = True
    default_card: ChargeCard | None = None  # None: the app pseudo-card BCU-APP [D]
    preferred_card: ChargeCard | None = None
    plug_and_charge_card: ChargeCard | None = None  # None: the pseudo-card BCU_HOME_USE [R]
    blocked: bool = False
    online: bool = True
    offline_since: datetime | None = None
    vehicle_connected: bool = False
    vehicle_error: bool = False
    charging: bool = False
    boosting: bool = False
    led_intensity: int = 80
    session_energy_kwh: float = 0.0
    session_cost: float = 0.0
    session_start: datetime | None = None
    session_stop: datetime | None = None
    session_card: str | None = None  # the uid the session was started with; None: no card
    # Every ended session, oldest first (what the service would bill).
    sessions: list[SessionRecord] = field(default_factory=list)
    # Energy the vehicle still accepts; the session stops by itself when it is delivered.
    vehicle_demand_kwh: float = 30.0
    override_current: float | None = None
    delayed: DelayedChargingProfile = field(default_factory=DelayedChargingProfile)
    price_based: PriceBasedProfile = field(default_factory=PriceBasedProfile)
    reboots: int = 0
    # A session held back by the delayed-charging window (kept up to date by ``update_delay``).
    delay_holding: bool = False

    @property
    def smart_charging(self) -> bool:
        """Whether a smart-charging profile is switched on."""
        return self.delayed.enabled or self.price_based.enabled

    def permission(self, setting: str) -> str:
        """The permission the service reports for ``setting``."""
        if setting in self.permissions:
            return self.permissions[setting]
        editable = {
            "plug_and_charge": self.plug_and_charge_editable,
            "public_charging": self.public_charging_editable,
        }.get(setting, True)
        return "write" if editable else "read"

    def update_delay(self, now: datetime) -> bool:
        """Hold or release a running session by the delayed-charging window; True if it changed."""
        holding = (
            self.charging
            and self.delayed.enabled
            and not self.delayed.window_overridden
            and not self.delayed.allows(now)
        )
        changed = holding != self.delay_holding
        self.delay_holding = holding
        return changed

    @property
    def activity(self) -> str:
        """What the service reports the charge point is doing."""
        if not self.online:
            return "offline"
        if self.blocked:
            return "unavailable"
        if self.vehicle_error:
            return "error"
        if self.delay_holding:
            return "delayed"  # [A]
        return "charging" if self.charging else "available"

    @property
    def vehicle_status(self) -> str:
        """The IEC 61851 state letter the service reports."""
        if self.vehicle_error:
            return "F"
        if not self.vehicle_connected:
            return "A"
        return "C" if self.charging and not self.delay_holding else "B"

    def phase_current(self) -> float:
        """Amperes per active phase: the tightest of the limits that apply."""
        if not (self.charging and self.online and not self.blocked) or self.delay_holding:
            return 0.0
        limit = min(self.max_usage, self.model.max_current)
        if self.smart_charging and not self.boosting:
            limit = min(limit, self.smartcharging_max_usage)
        if self.override_current is not None:
            limit = min(limit, self.override_current)
        return max(limit, 0.0)

    def voltages(self) -> tuple[float, float, float]:
        """Phase voltages: zero on phases the model does not have, and when offline."""
        if not self.online:
            return (0.0, 0.0, 0.0)
        return tuple(  # type: ignore[return-value]
            PHASE_VOLTAGE if phase < self.model.phases else 0.0 for phase in range(3)
        )

    def currents(self) -> tuple[float, float, float]:
        """Phase currents."""
        amps = self.phase_current()
        return tuple(  # type: ignore[return-value]
            amps if phase < self.model.phases else 0.0 for phase in range(3)
        )

    def power_w(self) -> float:
        """Real power: the sum over phases of voltage times current."""
        return sum(v * i for v, i in zip(self.voltages(), self.currents(), strict=True))

    # Changes a person or a vehicle makes

    def plug_in(self, now: datetime, demand_kwh: float = 30.0) -> None:
        """A vehicle is connected; with plug & charge the session starts at once."""
        self.vehicle_connected = True
        self.vehicle_demand_kwh = demand_kwh
        if self.plug_and_charge and not self.blocked and self.online:
            # Billed to the plug & charge card, else the default card [guess: the service
            # attributes plug & charge sessions so; a recording of one would settle it].
            card = self.plug_and_charge_card or self.default_card
            self.start_session(now, card.uid if card is not None else None)

    def unplug(self, now: datetime) -> None:
        """The vehicle leaves; a running session ends."""
        if self.charging:
            self.stop_session(now)
        self.vehicle_connected = False

    def go_offline(self, now: datetime) -> None:
        """The charge point loses its connection to the service."""
        if self.online:
            self.online = False
            self.offline_since = now

    def come_online(self) -> None:
        """The charge point is back."""
        self.online = True
        self.offline_since = None

    def start_session(self, now: datetime, card: str | None) -> None:
        """Start charging (the caller checked that it may)."""
        self.charging = True
        self.session_energy_kwh = 0.0
        self.session_cost = self.tariff_start_eur
        self.session_start = now
        self.session_stop = None
        self.session_card = card

    def stop_session(self, now: datetime) -> None:
        """Stop charging; the vehicle stays connected."""
        self.charging = False
        self.boosting = False
        self.delay_holding = False
        self.delayed.window_overridden = False  # an override lasts one session [guess]
        self.session_stop = now
        if self.session_start is not None:
            self.sessions.append(
                SessionRecord(
                    start=self.session_start,
                    stop=now,
                    energy_kwh=round(self.session_energy_kwh, 3),
                    cost=round(self.session_cost, 2),
                    card=self.session_card,
                )
            )

    def advance(self, seconds: float, now: datetime) -> None:
        """Let ``seconds`` of simulated time pass."""
        if not self.charging:
            return
        energy = self.power_w() * seconds / 3600 / 1000
        remaining = self.vehicle_demand_kwh - self.session_energy_kwh
        self.session_energy_kwh += min(energy, max(remaining, 0.0))
        self.session_cost = (
            self.tariff_start_eur + self.session_energy_kwh * self.tariff_eur_per_kwh
        )
        if self.session_energy_kwh >= self.vehicle_demand_kwh:
            # The session ended when the last kWh went in, not at the end of a long step.
            unused = seconds * (1 - max(remaining, 0.0) / energy) if energy > 0 else 0.0
            self.stop_session(now - timedelta(seconds=unused))


@dataclass
class ChargeCard:
    """A charge card of the account."""

    uid: str
    card_id: str
    name: str
    valid: bool = True
    customer_name: str = ""
    date_created: str = "2024-01-02"  # YYYY-MM-DD [R]
    date_modified: str = "2024-01-02"
    date_became_invalid: str | None = None


@dataclass
class OverrideSchedule:
    """A scheduled override of the current the listed charge points may use."""

    schedule_id: int
    charge_points: list[str]
    start_time: str
    end_time: str
    start_days: list[str]
    end_days: list[str]
    value: float


@dataclass
class SimAccount:
    """A Blue Current account: its credentials, charge points, cards and grid connection."""

    token: str
    customer_id: str
    email: str
    charge_points: dict[str, SimChargePoint] = field(default_factory=dict)
    cards: list[ChargeCard] = field(default_factory=list)
    overrides: dict[int, OverrideSchedule] = field(default_factory=dict)
    grid_id: str = "GRID-0001"
    full_name: str = "Simulated Owner"
    grid_max_install: float = 40.0
    grid_max_reserved: float = 25.0
    session_token: str = field(default_factory=lambda: secrets.token_hex(16))
    _next_schedule_id: int = 1
    _next_evse_number: int = 100001

    def add_charge_point(
        self,
        name: str | None = None,
        model: ChargePointModel | None = None,
        evse_id: str | None = None,
    ) -> SimChargePoint:
        """Add a charge point; by default models and names vary with the count."""
        index = len(self.charge_points)
        if evse_id is None:
            evse_id = f"BCU{self._next_evse_number}"
            self._next_evse_number += 1
        chosen = model or MODELS[index % len(MODELS)]
        # Every third charge point is left unnamed, as owners often do.
        label = name if name is not None else ("" if index % 3 == 2 else f"Charger {index + 1}")
        charge_point = SimChargePoint(evse_id=evse_id, model=chosen, name=label)
        self.charge_points[evse_id] = charge_point
        return charge_point

    def remove_charge_point(self, evse_id: str) -> None:
        """The charge point leaves the account."""
        self.charge_points.pop(evse_id, None)

    def add_card(self, name: str) -> ChargeCard:
        """Add a charge card."""
        number = len(self.cards) + 1
        card = ChargeCard(
            uid=f"04A1B2C3D4{number:04d}",
            card_id=f"NL-BCU-C{number:05d}",
            name=name,
            customer_name=self.full_name,
        )
        self.cards.append(card)
        return card

    def new_schedule_id(self) -> int:
        """The next free override schedule id."""
        schedule_id = self._next_schedule_id
        self._next_schedule_id += 1
        return schedule_id

    def apply_overrides(self) -> None:
        """Each charge point gets the lowest override that names it (schedules are always on)."""
        for charge_point in self.charge_points.values():
            values = [
                o.value for o in self.overrides.values() if charge_point.evse_id in o.charge_points
            ]
            charge_point.override_current = min(values) if values else None

    def grid_currents(self) -> tuple[float, float, float]:
        """What the grid connection carries: the house plus every charging charge point."""
        totals = [HOUSEHOLD_LOAD_A] * 3
        for charge_point in self.charge_points.values():
            for phase, amps in enumerate(charge_point.currents()):
                totals[phase] += amps
        return (round(totals[0], 1), round(totals[1], 1), round(totals[2], 1))


def simulated_now(start: datetime, elapsed: float) -> datetime:
    """The simulated wall clock: ``start`` plus ``elapsed`` simulated seconds."""
    return start + timedelta(seconds=elapsed)
