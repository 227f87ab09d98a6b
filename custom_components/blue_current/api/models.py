"""Immutable, typed views of what the Blue Current service reports.

The parsers (``parsing.py``) are the only code that builds these from server JSON; everything
else, the integration included, only reads them. Each model compares by value, so a consumer can
tell with ``==`` whether an update changed anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum


class VehicleStatus(StrEnum):
    """What the charge point sees of the vehicle (IEC 61851 states A-F).

    A value the service sends that is none of these is kept as its own text (lower case), so
    a status field is ``VehicleStatus | str``: compare with ``is`` for the known ones.
    """

    STANDBY = "standby"
    VEHICLE_DETECTED = "vehicle_detected"
    READY = "ready"
    CHARGING = "charging"  # a word the vendor's data examples show; IEC state C while drawing
    NO_POWER = "no_power"
    VEHICLE_ERROR = "vehicle_error"


class Activity(StrEnum):
    """What a charge point is doing, as the service names it."""

    AVAILABLE = "available"
    CHARGING = "charging"
    UNAVAILABLE = "unavailable"  # blocked by its owner (SET_INOPERATIVE)
    ERROR = "error"
    OFFLINE = "offline"
    DELAYED = "delayed"  # inside the delayed-charging window: plugged in, waiting to charge


@dataclass(frozen=True, slots=True)
class Account:
    """The account an API token belongs to."""

    customer_id: str
    email: str


@dataclass(frozen=True, slots=True)
class Setting[T]:
    """A setting value and whether this account may change it (the service's ``permission``)."""

    value: T
    editable: bool


@dataclass(frozen=True, slots=True)
class ChargeCard:
    """A charge card of the account; ``uid`` is what starts a session."""

    uid: str
    card_id: str
    name: str
    valid: bool = True
    customer_name: str | None = None
    created: datetime | None = None
    became_invalid: datetime | None = None


@dataclass(frozen=True, slots=True)
class Tariff:
    """What charging at a charge point costs (the ``tariff`` of a ``CHARGE_POINTS`` item)."""

    tariff_id: str | None = None
    price_per_kwh: float | None = None  # incl. VAT
    price_per_kwh_ex_vat: float | None = None
    start_price: float | None = None  # incl. VAT
    start_price_ex_vat: float | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class ChargePoint:
    """One charge point of the account (an item of ``CHARGE_POINTS``).

    Besides its identity, the list may carry a copy of some settings; ``None`` means the item
    did not say (older items carry booleans only, newer ones ``{value, permission}``).
    """

    evse_id: str
    model_type: str
    # The service's name; may be empty. ``display_name`` is what a user should see.
    name: str
    smart_charging: bool
    chargepoint_type: str | None = None
    is_cable: bool | None = None
    activity: Activity | str | None = None
    plug_and_charge: Setting[bool] | None = None
    public_charging: Setting[bool] | None = None
    # The card a session starts with when none is given (the owner's choice in the portal).
    default_card: ChargeCard | None = None
    tariff: Tariff | None = None
    delayed_charging: DelayedCharging | None = None
    price_based_charging: PriceBasedCharging | None = None

    @property
    def display_name(self) -> str:
        """The name, or the evse id when the owner never named it."""
        return self.name or self.evse_id


@dataclass(frozen=True, slots=True)
class ChargePointStatus:
    """The live status of one charge point (``CH_STATUS``).

    A field is ``None`` when the service did not send it.
    """

    evse_id: str
    # Known values are the enum's members; a value the service invented stays its text.
    activity: Activity | str | None = None
    vehicle_status: VehicleStatus | str | None = None
    voltage_l1: float | None = None
    voltage_l2: float | None = None
    voltage_l3: float | None = None
    current_l1: float | None = None
    current_l2: float | None = None
    current_l3: float | None = None
    session_energy_kwh: float | None = None  # actual_kwh
    session_cost: float | None = None  # total_cost, EUR
    session_start: datetime | None = None
    session_stop: datetime | None = None
    offline_since: datetime | None = None
    max_usage: float | None = None  # A
    smart_charging_max_usage: float | None = None  # A
    max_offline: float | None = None  # A
    boosting: bool | None = None
    # The names of the data fields the service sent, as it spells them (``"actual_v1"``,
    # ``"total_cost"``, ...), so that consumers can tell "never sent" from "sent as empty" (an
    # entity is only created for data that is reported). Partial pushes add to the set.
    reported: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def power_kw(self) -> float | None:
        """Power drawn: the sum over phases of voltage times current, in kW."""
        pairs = (
            (self.voltage_l1, self.current_l1),
            (self.voltage_l2, self.current_l2),
            (self.voltage_l3, self.current_l3),
        )
        known = [(v, i) for v, i in pairs if v is not None and i is not None]
        if not known:
            return None
        return round(sum(v * i for v, i in known) / 1000, 3)

    @property
    def average_voltage(self) -> float | None:
        """Average over the phases that carry a voltage."""
        return _average_of_active(self.voltage_l1, self.voltage_l2, self.voltage_l3)

    @property
    def average_current(self) -> float | None:
        """Average over the phases that carry a current."""
        return _average_of_active(self.current_l1, self.current_l2, self.current_l3)

    def current_left(self, smart_charging: bool) -> float | None:
        """Amperes still available: the applicable maximum minus the average current."""
        limit = self.smart_charging_max_usage if smart_charging else self.max_usage
        if limit is None:
            return None
        return round(limit - (self.average_current or 0.0), 1)


@dataclass(frozen=True, slots=True)
class DelayedCharging:
    """The delayed-charging smart-charging profile: charge only inside a weekly window."""

    enabled: bool
    start_time: time | None = None
    end_time: time | None = None
    days: tuple[int, ...] = ()  # 1 = Monday ... 7 = Sunday
    editable: bool = True


@dataclass(frozen=True, slots=True)
class PriceBasedCharging:
    """The price-based smart-charging profile: charge when energy is cheapest."""

    enabled: bool
    departure_time: time | None = None  # expected_leave_time
    expected_kwh: float | None = None
    minimum_kwh: float | None = None
    minimum_pct: int | None = None
    battery_size_kwh: float | None = None
    current_battery_pct: int | None = None
    editable: bool = True


@dataclass(frozen=True, slots=True)
class ChargePointSettings:
    """The settings of one charge point (``CH_SETTINGS``)."""

    evse_id: str
    plug_and_charge: Setting[bool] | None = None
    public_charging: Setting[bool] | None = None
    smart_charging: bool | None = None
    name: str | None = None  # chargepoint_name
    led_intensity: Setting[int] | None = None
    led_interaction: Setting[bool] | None = None
    capacity_tariff: Setting[bool] | None = None
    capacity_tariff_max_kwh: float | None = None
    default_card: ChargeCard | None = None
    delayed_charging: DelayedCharging | None = None
    price_based_charging: PriceBasedCharging | None = None

    @property
    def linked_charge_cards_only(self) -> Setting[bool] | None:
        """The negation of public charging, as the Blue Current app shows it."""
        if self.public_charging is None:
            return None
        return Setting(not self.public_charging.value, self.public_charging.editable)


@dataclass(frozen=True, slots=True)
class GridStatus:
    """Currents at the account's grid connection (``GRID_STATUS`` / ``GRID_CURRENT``)."""

    current_l1: float | None = None
    current_l2: float | None = None
    current_l3: float | None = None
    grid_id: str | None = None
    max_installed: float | None = None  # A
    max_reserved: float | None = None  # A

    @property
    def average_current(self) -> float | None:
        """Average over the phases that carry a current."""
        return _average_of_active(self.current_l1, self.current_l2, self.current_l3)

    @property
    def max_current(self) -> float | None:
        """The highest phase current."""
        known = [c for c in (self.current_l1, self.current_l2, self.current_l3) if c is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class OverrideSchedule:
    """A scheduled override of the current that charge points may use."""

    schedule_id: str
    charge_points: tuple[str, ...]
    start_time: time | None
    stop_time: time | None
    start_days: tuple[str, ...]  # "MO" ... "SU"
    stop_days: tuple[str, ...]
    current: float | None  # A; the older documented listing does not carry it


@dataclass(frozen=True, slots=True)
class CommandAcknowledgement:
    """The service's answer to a command on one charge point (``STATUS_<COMMAND>``)."""

    command: str
    evse_id: str | None
    error: str = ""
    # ``success: false`` refuses even when ``error`` is empty; None: the answer did not say.
    success: bool | None = None

    @property
    def succeeded(self) -> bool:
        """True unless the service reported an error or ``success: false``."""
        return not self.error and self.success is not False

    @property
    def reason(self) -> str:
        """The service's words for a refusal ("" when it succeeded)."""
        if self.succeeded:
            return ""
        return self.error or "refused"


@dataclass(frozen=True, slots=True)
class ChargePointData:
    """Everything known about one charge point."""

    charge_point: ChargePoint
    status: ChargePointStatus | None = None
    settings: ChargePointSettings | None = None

    @property
    def smart_charging(self) -> bool:
        """Whether a smart-charging profile applies (settings win over the list)."""
        if self.settings is not None and self.settings.smart_charging is not None:
            return self.settings.smart_charging
        return self.charge_point.smart_charging

    @property
    def default_card(self) -> ChargeCard | None:
        """The card sessions start with when none is chosen (settings win over the list)."""
        if self.settings is not None and self.settings.default_card is not None:
            return self.settings.default_card
        return self.charge_point.default_card

    @property
    def delayed_charging(self) -> DelayedCharging | None:
        """The delayed-charging profile (settings win over the list)."""
        if self.settings is not None and self.settings.delayed_charging is not None:
            return self.settings.delayed_charging
        return self.charge_point.delayed_charging

    @property
    def price_based_charging(self) -> PriceBasedCharging | None:
        """The price-based profile (settings win over the list)."""
        if self.settings is not None and self.settings.price_based_charging is not None:
            return self.settings.price_based_charging
        return self.charge_point.price_based_charging


@dataclass(frozen=True, slots=True)
class AccountData:
    """Everything known about the account: the client replaces it whole on every change."""

    charge_points: dict[str, ChargePointData] = field(default_factory=dict)
    grid: GridStatus | None = None
    cards: tuple[ChargeCard, ...] | None = None


def _average_of_active(*values: float | None) -> float | None:
    """Average over the non-zero values; 0 when all are zero, None when none is known."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    active = [v for v in known if v]
    if not active:
        return 0.0
    return round(sum(active) / len(active), 1)


class UpdateKind(StrEnum):
    """Which part of ``AccountData`` an ``Update`` reports as changed."""

    CHARGE_POINTS = "charge_points"  # charge points appeared or disappeared, or their details
    STATUS = "status"
    SETTINGS = "settings"
    GRID = "grid"
    CARDS = "cards"


@dataclass(frozen=True, slots=True)
class Update:
    """What changed in the client's data; ``evse_id`` is None for account-wide parts."""

    kind: UpdateKind
    evse_id: str | None = None


@dataclass(slots=True)
class ConnectionStats:
    """Counters of the client's connections, for diagnostics.

    ``BlueCurrentClient.stats`` hands out a copy: changing it changes nothing in the client.
    """

    connections_opened: int = 0
    messages_received: int = 0
    # Malformed messages (bad JSON, binary frames, wrong or missing fields), dropped unread.
    messages_dropped: int = 0
    # Well-formed messages with an object this client does not know, ignored.
    messages_unknown: int = 0
    errors_received: int = 0  # ERROR objects
    requests_sent: int = 0
    commands_refused: int = 0
    commands_timed_out: int = 0
    listener_failures: int = 0
    connected_since: datetime | None = None
    last_message_at: datetime | None = None
    # Why the last long connection ended, in words without credentials.
    last_disconnect_reason: str | None = None
