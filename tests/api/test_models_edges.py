"""The models' derived values where data is missing: None, never a made-up number."""

from __future__ import annotations

from custom_components.blue_current.api import (
    ChargeCard,
    ChargePoint,
    ChargePointData,
    ChargePointSettings,
    ChargePointStatus,
    DelayedCharging,
    PriceBasedCharging,
    Setting,
)

EVSE = "BCU100001"


def _charge_point(**changes: object) -> ChargePoint:
    fields: dict[str, object] = {
        "evse_id": EVSE,
        "model_type": "H:MOVE-3-22",
        "name": "",
        "smart_charging": False,
    }
    fields.update(changes)
    return ChargePoint(**fields)  # type: ignore[arg-type]


def test_power_needs_a_voltage_and_a_current_on_one_phase() -> None:
    """Voltages without currents (or the reverse) give no power."""
    assert ChargePointStatus(EVSE, voltage_l1=230.0).power_kw is None
    assert ChargePointStatus(EVSE, current_l2=16.0).power_kw is None
    assert ChargePointStatus(EVSE, voltage_l1=230.0, current_l1=10.0).power_kw == 2.3


def test_averages_and_current_left() -> None:
    """Idle phases count as zero only when every phase is idle; a missing limit is unknown."""
    idle = ChargePointStatus(EVSE, current_l1=0.0, current_l2=0.0, current_l3=0.0)
    assert idle.average_current == 0.0
    assert ChargePointStatus(EVSE).average_voltage is None
    assert idle.current_left(smart_charging=False) is None
    limited = ChargePointStatus(
        EVSE, current_l1=10.0, current_l2=0.0, max_usage=32.0, smart_charging_max_usage=16.0
    )
    assert limited.current_left(smart_charging=False) == 22.0
    assert limited.current_left(smart_charging=True) == 6.0


def test_linked_cards_only_is_unknown_without_public_charging() -> None:
    """The switch's value is the negation of public charging, and unknown without it."""
    assert ChargePointSettings(EVSE).linked_charge_cards_only is None
    settings = ChargePointSettings(EVSE, public_charging=Setting(True, editable=False))
    assert settings.linked_charge_cards_only == Setting(False, editable=False)


def test_settings_win_over_the_charge_point_list() -> None:
    """Without settings the list's copy counts; with them, the settings."""
    card = ChargeCard(uid="04AA", card_id="C-1", name="Work", valid=True)
    delayed = DelayedCharging(enabled=True)
    price = PriceBasedCharging(enabled=False, minimum_pct=20)
    listed = _charge_point(
        smart_charging=True, default_card=card, delayed_charging=delayed, price_based_charging=price
    )
    only_list = ChargePointData(listed)
    assert only_list.smart_charging is True
    assert only_list.default_card == card
    assert only_list.delayed_charging == delayed
    assert only_list.price_based_charging == price

    other_card = ChargeCard(uid="04BB", card_id="C-2", name="Home", valid=True)
    settings = ChargePointSettings(
        EVSE,
        smart_charging=False,
        default_card=other_card,
        delayed_charging=DelayedCharging(enabled=False),
        price_based_charging=PriceBasedCharging(enabled=True),
    )
    both = ChargePointData(listed, settings=settings)
    assert both.smart_charging is False
    assert both.default_card == other_card
    assert both.delayed_charging == DelayedCharging(enabled=False)
    assert both.price_based_charging == PriceBasedCharging(enabled=True)
