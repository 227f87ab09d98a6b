"""The client reads every frame of the corpus of real-shaped frames (tests/corpus/).

Two kinds of check: every frame is read whole (no field of it lost to the tolerance rule),
and the values users see come out right for each shape the public sources show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import pytest

from custom_components.blue_current.api import (
    Activity,
    CommandRefusedError,
    Setting,
    VehicleStatus,
    parsing,
)
from custom_components.blue_current.api.parsing import (
    ParseError,
    parse_account,
    parse_acknowledgement,
    parse_charge_cards,
    parse_charge_points,
    parse_error,
    parse_grid,
    parse_message,
    parse_override_schedule,
    parse_override_schedules,
    parse_setting_confirmation,
    parse_settings,
    parse_status,
    parse_token_validation,
)
from tests.corpus import CorpusFrame, corpus_frame, load_corpus

_PARSERS: dict[str, Callable[[parsing.ServerMessage], Any]] = {
    "CHARGE_POINTS": parse_charge_points,
    "CH_STATUS": parse_status,
    "CH_SETTINGS": parse_settings,
    "GRID_STATUS": parse_grid,
    "GRID_CURRENT": parse_grid,
    "CHARGE_CARDS": parse_charge_cards,
    "LIST_OVERRIDE_CURRENT": parse_override_schedules,
    "POST_SET_OVERRIDE_CURRENT": parse_override_schedule,
    "ERROR": parse_error,
    "STATUS_API_TOKEN": parse_token_validation,
    "ACCOUNT": parse_account,
}


def _parser(kind: str) -> Callable[[parsing.ServerMessage], Any] | None:
    if kind in _PARSERS:
        return _PARSERS[kind]
    if kind.startswith(("STATUS_", "RECEIVED_")):
        return parse_acknowledgement
    return None


def _read(name: str) -> Any:
    frame = corpus_frame(name)
    parser = _parser(frame.kind)
    assert parser is not None
    return parser(parse_message(frame.text))


_READABLE = [frame for frame in load_corpus() if _parser(frame.kind) is not None]


@pytest.mark.parametrize("frame", _READABLE, ids=lambda frame: frame.name)
def test_every_corpus_frame_is_read_whole(frame: CorpusFrame) -> None:
    """No frame of the real service's shapes is dropped, and none loses a field."""
    parser = _parser(frame.kind)
    assert parser is not None
    parsing._UNREADABLE_LOGGED.clear()
    parser(parse_message(frame.text))
    assert set() == parsing._UNREADABLE_LOGGED


def test_frames_without_an_object_are_dropped_not_crashed() -> None:
    """The vendor's tests feed a bare ``{success, error}`` [T]: nothing to attribute it to."""
    for name in ("success_false_without_object", "transactions_app"):
        with pytest.raises(ParseError, match="no object name"):
            parse_message(corpus_frame(name).text)


def test_recorded_settings() -> None:
    """Objects for the LED settings and the capacity tariff, permissions inside profiles [R]."""
    settings = _read("ch_settings_recorded")
    assert settings.led_intensity == Setting(0, editable=False)  # permission "none"
    assert settings.led_interaction == Setting(False, editable=False)
    assert settings.capacity_tariff == Setting(True, editable=True)
    assert settings.capacity_tariff_max_kwh == 4.0
    assert settings.plug_and_charge == Setting(True, editable=True)
    assert settings.default_card is not None
    assert (settings.default_card.name, settings.default_card.valid) == ("Card A", True)
    delayed = settings.delayed_charging
    assert delayed is not None
    assert (delayed.enabled, delayed.editable, delayed.days) == (True, True, (1, 2, 3, 4, 5))
    assert (delayed.start_time, delayed.end_time) == (time(23), time(7))
    assert settings.price_based_charging is not None
    assert settings.price_based_charging.enabled is False


def test_recorded_charge_point_list() -> None:
    """Settings as ``{value, permission}``, the default card, the tariff, profile locks [R]."""
    (charge_point,) = _read("charge_points_recorded").charge_points
    assert charge_point.display_name == charge_point.evse_id  # the name is ""
    assert charge_point.plug_and_charge == Setting(True, editable=True)
    assert charge_point.public_charging == Setting(False, editable=True)
    assert charge_point.default_card is not None
    assert charge_point.default_card.uid == "0A1B2C3D4E5F60"
    assert charge_point.tariff is not None
    assert (charge_point.tariff.price_per_kwh, charge_point.tariff.currency) == (0.242, "EUR")
    assert charge_point.delayed_charging is not None
    assert charge_point.delayed_charging.editable is False  # permission "none"
    assert charge_point.activity is Activity.AVAILABLE


def test_2022_charge_point_list_with_booleans() -> None:
    """Plain booleans, the app pseudo-card as the default (no card), a read-only tariff [D]."""
    (charge_point,) = _read("charge_points_booleans_2022").charge_points
    assert charge_point.plug_and_charge == Setting(False, editable=True)
    assert charge_point.public_charging == Setting(False, editable=True)
    assert charge_point.default_card is None  # BCU-APP
    assert charge_point.chargepoint_type == "UMOVE"
    assert charge_point.activity is Activity.OFFLINE
    assert charge_point.tariff is not None
    assert charge_point.tariff.price_per_kwh == 0.2541


def test_recorded_cards_have_integer_validity_and_dates() -> None:
    """``valid`` is 1/0 and dates are ``YYYY-MM-DD`` [R]."""
    (card,) = _read("charge_cards_recorded")
    assert (card.uid, card.card_id, card.name, card.valid) == (
        "0A1B2C3D4E5F60",
        "NL-XXX-000001-1",
        "Card A",
        True,
    )
    assert card.created is not None
    assert card.created.date().isoformat() == "2023-01-02"
    assert card.customer_name == "Example Owner"
    assert card.became_invalid is None


def test_statuses_of_the_real_service() -> None:
    """``delayed`` activity [A], words for the vehicle [D], ``+HH:MM`` offsets [T][H]."""
    assert _read("ch_status_delayed").activity is Activity.DELAYED
    documented = _read("ch_status_documented")
    assert documented.vehicle_status is VehicleStatus.READY
    assert documented.session_stop is not None
    offsets = _read("ch_status_offsets")
    assert offsets.session_start == datetime(
        2021, 11, 18, 14, 12, 23, tzinfo=timezone(timedelta(hours=8))
    )
    assert offsets.session_stop == datetime(2021, 11, 18, 14, 32, 23, tzinfo=UTC)
    app = _read("ch_status_app_items")
    assert (app.evse_id, app.max_usage, app.vehicle_status) == (
        "BCU900501",
        20.0,
        VehicleStatus.STANDBY,
    )


def test_grid_status_without_evse_id() -> None:
    """Its ``id`` is ``GRID-<evse id>`` and it names no charge point [D][R]."""
    grid = _read("grid_status_recorded")
    assert grid.grid_id == "GRID-BCU900501"
    assert (grid.current_l1, grid.current_l2, grid.current_l3) == (1.0, 2.0, 3.0)
    assert parse_message(corpus_frame("grid_status_recorded").text).evse_id is None


def test_override_schedules_in_both_known_shapes() -> None:
    """The vendor's reading [T][A] and the older documented listing [D]."""
    (vendor,) = _read("list_override_current_vendor")
    assert vendor.schedule_id == "SCHEDULE-1"
    assert vendor.charge_points == ("BCU900301", "BCU900302")
    assert (vendor.current, vendor.start_time, vendor.stop_time) == (10.0, time(10), time(20))
    assert (vendor.start_days, vendor.stop_days) == (("MO", "TH"), ("WE", "FR"))
    old = _read("list_override_current_documented_old")
    assert [(s.schedule_id, s.charge_points, s.start_days) for s in old] == [
        ("901", ("BCU900103",), ("SA",)),
        ("902", ("BCU900101",), ("MO", "TU")),
    ]
    assert old[0].current is None
    assert _read("post_set_override_current_vendor") is not None


def test_acknowledgements_as_recorded() -> None:
    """``success: false`` refuses; ``REJECTED``/``TIMEOUT`` are refusals with a kind [T][R]."""
    refused_stop = _read("received_stop_session_refused")
    assert not refused_stop.succeeded
    assert refused_stop.reason.startswith("no active session for chargepoint")
    assert refused_stop.evse_id is None
    rejected = _read("status_start_session_rejected")
    assert (rejected.succeeded, rejected.reason) == (False, "REJECTED")
    assert CommandRefusedError("START_SESSION", "B", rejected.reason).kind == "rejected"
    timeout = _read("status_start_session_timeout")
    assert CommandRefusedError("START_SESSION", "B", timeout.reason).kind == "timeout"
    assert _read("received_start_session_accepted").succeeded
    assert _read("status_stop_session_bare").succeeded
    confirmation = parse_setting_confirmation(
        parse_message(corpus_frame("status_set_plug_and_charge_raw").text)
    )
    assert confirmation is True


def test_account_token_and_error_as_recorded() -> None:
    """``ACCOUNT`` has no customer id [R]; a refused token says nothing [T]; ``forbidden``."""
    account = parse_account(parse_message(corpus_frame("account_recorded").text), customer_id="C-1")
    assert (account.customer_id, account.email) == ("C-1", "owner@example.org")
    refused = _read("status_api_token_refused")
    assert (refused.success, refused.session_token) == (False, None)
    error = _read("error_forbidden_with_flow_id")
    assert (error.code, error.message) == (2, "forbidden")
