"""The parsers: server JSON in, immutable models out, ParseError on anything malformed."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
import json
import logging
from typing import Any

import pytest

from custom_components.blue_current.api import (
    Activity,
    ChargePointStatus,
    DelayedCharging,
    GridStatus,
    ParseError,
    Setting,
    VehicleStatus,
    parsing,
)
from custom_components.blue_current.api.const import SERVICE_TIMEZONE
from custom_components.blue_current.api.parsing import (
    _STATUS_ATTRIBUTES,
    ServerMessage,
    parse_account,
    parse_acknowledgement,
    parse_charge_cards,
    parse_charge_points,
    parse_clear_confirmation,
    parse_error,
    parse_grid,
    parse_message,
    parse_override_schedule,
    parse_override_schedules,
    parse_setting_confirmation,
    parse_settings,
    parse_status,
    parse_timestamp,
    parse_token_validation,
    subject_evse_id,
)

from .messages import EVSE_ID, bodies, message, settings_data, status_data


def _status(data: dict[str, Any], previous: ChargePointStatus | None = None) -> ChargePointStatus:
    return parse_status(message({"object": "CH_STATUS", "data": data}), previous)


# Envelope


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b'{"object": "CH_STATUS"}', "binary frame"),
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('"CH_STATUS"', "expected a JSON object"),
        ('{"data": {}}', "no object name"),
        ('{"object": 5}', "no object name"),
        ('{"object": ""}', "no object name"),
        ("[" * 100_000, "not JSON"),
    ],
    ids=[
        "binary",
        "bad-json",
        "array",
        "string",
        "no-object",
        "object-number",
        "empty-object",
        "deep",
    ],
)
def test_malformed_frames_raise_parse_error(frame: str | bytes, reason: str) -> None:
    """Whatever arrives, a frame that is not a named JSON object is a ParseError."""
    with pytest.raises(ParseError, match=reason):
        parse_message(frame)


def test_message_keeps_its_name_and_top_level_evse_id() -> None:
    """Replies are matched on the top-level evse id; a non-text one reads as none."""
    parsed = parse_message('{"object": "STATUS_REBOOT", "evse_id": "BCU1", "error": ""}')
    assert (parsed.name, parsed.evse_id) == ("STATUS_REBOOT", "BCU1")
    assert parse_message('{"object": "X", "evse_id": 12}').evse_id is None


# Timestamps


def test_timestamp_without_offset_is_dutch_time() -> None:
    """Winter and summer times get Amsterdam's offset of that day."""
    winter = parse_timestamp("20240115 08:30:00")
    summer = parse_timestamp("20240715 08:30:00")
    assert winter == datetime(2024, 1, 15, 7, 30, tzinfo=UTC)
    assert summer == datetime(2024, 7, 15, 6, 30, tzinfo=UTC)
    assert winter is not None
    assert winter.tzinfo is SERVICE_TIMEZONE


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("20240115 08:30:00+0100", datetime(2024, 1, 15, 7, 30, tzinfo=UTC)),
        ("20240115 08:30:00-0230", datetime(2024, 1, 15, 11, 0, tzinfo=UTC)),
        ("20240115 08:30:00+01:00", datetime(2024, 1, 15, 7, 30, tzinfo=UTC)),
        ("2024-01-15T08:30:00+00:00", datetime(2024, 1, 15, 8, 30, tzinfo=UTC)),
    ],
)
def test_timestamp_with_offset(raw: str, utc: datetime) -> None:
    """An explicit offset wins over Dutch time; ISO 8601 is read too."""
    parsed = parse_timestamp(raw)
    assert parsed == utc
    assert parsed is not None
    assert parsed.utcoffset() is not None


@pytest.mark.parametrize("raw", ["", None])
def test_empty_timestamp_is_none(raw: str | None) -> None:
    """``""`` means "no such moment" (no session yet, never offline)."""
    assert parse_timestamp(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["20241315 08:30:00", "20240115 25:00:00", "yesterday", "15-01-2024 08:30", 20240115, ["x"]],
)
def test_bad_timestamp_raises_parse_error(raw: object) -> None:
    """Impossible dates, other shapes and other types are malformed."""
    with pytest.raises(ParseError):
        parse_timestamp(raw)


# CH_STATUS


def test_status_reads_every_field() -> None:
    """A whole status becomes a typed model, with the wire names it reported."""
    status = _status(status_data())
    assert status == ChargePointStatus(
        evse_id=EVSE_ID,
        activity=Activity.CHARGING,
        vehicle_status=VehicleStatus.READY,
        voltage_l1=230.0,
        voltage_l2=231.0,
        voltage_l3=229.0,
        current_l1=16.0,
        current_l2=16.0,
        current_l3=16.0,
        session_energy_kwh=12.5,
        session_cost=3.75,
        session_start=datetime(2024, 1, 15, 8, 30, tzinfo=SERVICE_TIMEZONE),
        session_stop=None,
        offline_since=None,
        max_usage=32.0,
        smart_charging_max_usage=20.0,
        max_offline=6.0,
        boosting=False,
    )
    assert status.reported == set(status_data()) - {"evse_id"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("A", VehicleStatus.STANDBY),
        ("B", VehicleStatus.VEHICLE_DETECTED),
        ("C", VehicleStatus.READY),
        ("D", VehicleStatus.READY),
        ("E", VehicleStatus.NO_POWER),
        ("F", VehicleStatus.VEHICLE_ERROR),
        ("b", VehicleStatus.VEHICLE_DETECTED),
        ("ready", VehicleStatus.READY),
        ("charging", VehicleStatus.CHARGING),
        ("Vehicle_Detected", VehicleStatus.VEHICLE_DETECTED),
        ("Z", "z"),
        ("Hovering", "hovering"),
        ("", None),
    ],
)
def test_vehicle_status_codes(code: str, expected: VehicleStatus | str | None) -> None:
    """IEC 61851 letters and the vendor's words map to statuses; unknown codes are kept."""
    assert _status(status_data(vehicle_status=code)).vehicle_status == expected


def test_unknown_activity_is_kept_as_its_text() -> None:
    """A new activity the service invents is shown as it came, not turned into unknown."""
    assert _status(status_data(activity="Levitating")).activity == "levitating"
    assert _status(status_data(activity="UNAVAILABLE")).activity is Activity.UNAVAILABLE
    assert _status(status_data(activity="delayed")).activity is Activity.DELAYED


def test_power_is_the_sum_over_phases() -> None:
    """Three phases at 230 V and 16 A are 11 kW, one phase 3.7 kW (not the vendor's 6.4)."""
    three = _status(status_data(actual_v1=230, actual_v2=230, actual_v3=230))
    one = _status(status_data(actual_v1=230, actual_v2=0, actual_v3=0, actual_p2=0, actual_p3=0))
    assert three.power_kw == 11.04
    assert one.power_kw == 3.68
    assert one.average_current == 16.0
    assert one.average_voltage == 230.0


def test_partial_status_merges_into_the_known_one() -> None:
    """A push with only the changed fields keeps everything else."""
    whole = _status(status_data())
    partial = _status({"evse_id": EVSE_ID, "actual_p1": 10.0, "activity": "available"}, whole)
    assert partial.current_l1 == 10.0
    assert partial.activity is Activity.AVAILABLE
    assert partial.current_l2 == 16.0
    assert partial.session_start == whole.session_start
    assert partial.reported == whole.reported


def test_partial_status_of_another_charge_point_does_not_merge() -> None:
    """The previous status only counts when it is the same charge point's."""
    other = _status(status_data(evse_id="BCU999"))
    fresh = _status({"evse_id": EVSE_ID, "actual_p1": 10.0}, other)
    assert fresh.current_l2 is None
    assert fresh.reported == {"actual_p1"}


def test_status_evse_id_falls_back_to_the_top_level() -> None:
    """A partial push may name its charge point only at the top level."""
    parsed = message({"object": "CH_STATUS", "evse_id": "BCU7", "data": {"actual_p1": 2}})
    assert subject_evse_id(parsed) == "BCU7"
    assert parse_status(parsed).evse_id == "BCU7"


def test_null_values_read_as_no_value() -> None:
    """``null`` is "sent as empty": the field counts as reported, with no value."""
    status = _status(status_data(actual_v1=None, start_datetime=None))
    assert status.voltage_l1 is None
    assert status.session_start is None
    assert "actual_v1" in status.reported


def test_unknown_status_fields_are_ignored() -> None:
    """New fields the service adds are tolerated."""
    status = _status(status_data(socket_id=3, something_new={"a": 1}))
    assert status.current_l1 == 16.0
    assert "socket_id" not in status.reported


@pytest.mark.parametrize(
    ("changes", "attribute"),
    [
        ({"actual_v1": "230"}, "voltage_l1"),
        ({"actual_p2": True}, "current_l2"),
        ({"actual_kwh": [1]}, "session_energy_kwh"),
        ({"activity": 3}, "activity"),
        ({"vehicle_status": 1}, "vehicle_status"),
        ({"boosting": "yes"}, "boosting"),
        ({"start_datetime": "tomorrow"}, "session_start"),
        ({"actual_p1": float("nan")}, "current_l1"),
    ],
)
def test_wrong_status_type_costs_that_field_only(
    changes: dict[str, Any], attribute: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A field in an unexpected shape reads as unknown; every other field is read.

    It is logged at debug, by the field's name and never its value, once per field.
    """
    parsing._UNREADABLE_LOGGED.clear()
    whole = _status(status_data())
    with caplog.at_level(logging.DEBUG, logger=parsing.__name__):
        status = _status(status_data(**changes))
        _status(status_data(**changes))
    assert getattr(status, attribute) is None
    others = [name for name in _STATUS_ATTRIBUTES if name != attribute]
    assert [getattr(status, name) for name in others] == [getattr(whole, name) for name in others]
    (field,) = changes
    logged = [r.getMessage() for r in caplog.records if f"CH_STATUS.{field}" in r.getMessage()]
    assert len(logged) == 1
    assert repr(changes[field]) not in logged[0]


def test_status_with_an_evse_id_that_is_not_text_raises_parse_error() -> None:
    """Whose status it is decides where it goes: without it, the message is meaningless."""
    with pytest.raises(ParseError, match="evse_id"):
        _status(status_data(evse_id=5))


def test_status_without_evse_id_or_data_raises_parse_error() -> None:
    """Nobody to attribute it to, or nothing in it: malformed."""
    with pytest.raises(ParseError, match="evse_id"):
        _status({"actual_p1": 1.0})
    with pytest.raises(ParseError, match="data"):
        parse_status(message({"object": "CH_STATUS", "evse_id": EVSE_ID}))


def test_non_finite_numbers_read_as_unknown() -> None:
    """Python's json reads NaN and Infinity; no charge point reports them."""
    text = '{"object": "CH_STATUS", "data": {"evse_id": "B", "actual_p1": NaN, "actual_p2": 3}}'
    status = parse_status(parse_message(text))
    assert (status.current_l1, status.current_l2) == (None, 3.0)


# CH_SETTINGS


def test_settings_read_every_field() -> None:
    """Settings with permissions, both smart-charging profiles, days and times."""
    settings = parse_settings(message({"object": "CH_SETTINGS", "data": settings_data()}))
    assert settings.plug_and_charge == Setting(True, editable=True)
    assert settings.public_charging == Setting(False, editable=False)
    assert settings.linked_charge_cards_only == Setting(True, editable=False)
    assert settings.smart_charging is True
    assert settings.name == "Driveway"
    assert settings.led_intensity == Setting(60, editable=True)
    assert settings.delayed_charging == DelayedCharging(
        enabled=True, start_time=time(22, 0), end_time=time(6, 30), days=(1, 2, 3, 4, 5)
    )
    price = settings.price_based_charging
    assert price is not None
    assert (price.enabled, price.departure_time) == (False, time(7, 45))
    assert (price.expected_kwh, price.minimum_kwh, price.minimum_pct) == (30.0, 5.5, 20)
    assert (price.battery_size_kwh, price.current_battery_pct) == (77.0, 40)


def test_partial_settings_merge_including_profiles() -> None:
    """A push of one profile field keeps the rest of the profile and the other settings."""
    whole = parse_settings(message({"object": "CH_SETTINGS", "data": settings_data()}))
    push = {"evse_id": EVSE_ID, "delayed_charging": {"end_time": "07:00"}}
    merged = parse_settings(message({"object": "CH_SETTINGS", "data": push}), whole)
    assert merged.delayed_charging == DelayedCharging(
        True, time(22, 0), time(7, 0), (1, 2, 3, 4, 5)
    )
    assert merged.plug_and_charge == whole.plug_and_charge
    assert merged.price_based_charging == whole.price_based_charging


def test_days_as_text_are_read() -> None:
    """The ``"[1,2,3]"`` form commands send is read as well as a list."""
    data = settings_data(delayed_charging={"value": False, "selected_days": "[6,7]"})
    settings = parse_settings(message({"object": "CH_SETTINGS", "data": data}))
    assert settings.delayed_charging == DelayedCharging(False, days=(6, 7))


@pytest.mark.parametrize(
    ("changes", "attribute", "expected"),
    [
        ({"plug_and_charge": {"permission": "write"}}, "plug_and_charge", None),
        ({"public_charging": {"value": "yes"}}, "public_charging", None),
        ({"led_intensity": 12.5}, "led_intensity", None),
        ({"smart_charging": "on"}, "smart_charging", None),
        (
            {"delayed_charging": {"value": True, "selected_days": [0, 8]}},
            "delayed_charging",
            DelayedCharging(True),
        ),
        (
            {"delayed_charging": {"value": True, "selected_days": "[mon]"}},
            "delayed_charging",
            DelayedCharging(True),
        ),
        (
            {"delayed_charging": {"value": True, "start_time": "25:00", "end_time": "06:00"}},
            "delayed_charging",
            DelayedCharging(True, end_time=time(6)),
        ),
        ({"delayed_charging": {"start_time": "22:00"}}, "delayed_charging", None),
        ({"price_based_charging": []}, "price_based_charging", None),
    ],
)
def test_malformed_setting_costs_that_setting_only(
    changes: dict[str, Any], attribute: str, expected: object
) -> None:
    """A setting in an unexpected shape reads as unknown (or loses its bad field only)."""
    whole = parse_settings(message({"object": "CH_SETTINGS", "data": settings_data()}))
    settings = parse_settings(message({"object": "CH_SETTINGS", "data": settings_data(**changes)}))
    assert getattr(settings, attribute) == expected
    assert replace(settings, **{attribute: getattr(whole, attribute)}) == whole


def test_price_based_field_in_a_wrong_shape_costs_that_field() -> None:
    """``minimum_pct`` as text: the profile is read, without its minimum."""
    data = settings_data(price_based_charging={"value": True, "minimum_pct": "20"})
    price = parse_settings(message({"object": "CH_SETTINGS", "data": data})).price_based_charging
    assert price is not None
    assert (price.enabled, price.minimum_pct) == (True, None)


@pytest.mark.parametrize(
    ("permission", "editable"),
    [("write", True), ("WRITE", True), ("read", False), ("none", False), ("", False), (3, False)],
)
def test_only_write_permission_makes_a_setting_editable(permission: object, editable: bool) -> None:
    """``read`` and ``none`` lock a setting [R]; so does a permission we cannot read."""
    data = settings_data(
        plug_and_charge={"value": True, "permission": permission},
        delayed_charging={"value": False, "permission": permission},
    )
    settings = parse_settings(message({"object": "CH_SETTINGS", "data": data}))
    assert settings.plug_and_charge == Setting(True, editable=editable)
    assert settings.delayed_charging is not None
    assert settings.delayed_charging.editable is editable


def test_plain_boolean_setting_is_editable() -> None:
    """The 2022 form carries no permission [D]: editable, as the vendor treats every setting."""
    settings = parse_settings(
        message({"object": "CH_SETTINGS", "data": settings_data(plug_and_charge=True)})
    )
    assert settings.plug_and_charge == Setting(True, editable=True)


# CHARGE_POINTS, grid, cards


def test_charge_points() -> None:
    """Every item becomes a ChargePoint; an unnamed one shows its evse id."""
    first, second = parse_charge_points(message(bodies()["CHARGE_POINTS"])).charge_points
    assert (first.evse_id, first.model_type, first.display_name) == (
        EVSE_ID,
        "H:MOVE-2W-32A",
        "Driveway",
    )
    assert (first.chargepoint_type, first.is_cable, first.smart_charging) == ("HIDDEN", True, False)
    assert second.display_name == "BCU100002"


@pytest.mark.parametrize("data", [None, {"evse_id": "B"}, "B"])
def test_charge_points_without_a_list_raise_parse_error(data: object) -> None:
    """Without a list there is nothing to read."""
    with pytest.raises(ParseError):
        parse_charge_points(message({"object": "CHARGE_POINTS", "data": data}))


def test_unreadable_charge_point_items_cost_those_items_and_are_counted() -> None:
    """An item without an evse id is skipped and counted; a bad name costs the name only."""
    data = [{"name": "no id"}, {"evse_id": "B", "name": 5}, 3, {"evse_id": "C"}]
    read = parse_charge_points(message({"object": "CHARGE_POINTS", "data": data}))
    assert [(cp.evse_id, cp.display_name) for cp in read.charge_points] == [("B", "B"), ("C", "C")]
    assert read.unreadable == 2


def test_grid_status_then_grid_current() -> None:
    """GRID_CURRENT updates the currents and keeps the limits GRID_STATUS reported."""
    grid = parse_grid(message(bodies()["GRID_STATUS"]))
    assert grid == GridStatus(12.0, 8.0, 0.0, "GRID-1", 40.0, 35.0)
    assert grid.average_current == 10.0
    assert grid.max_current == 12.0
    pushed = parse_grid(message(bodies()["GRID_CURRENT"]), grid)
    assert pushed == GridStatus(14.0, 9.0, 1.0, "GRID-1", 40.0, 35.0)


def test_grid_without_grid_fields_raises_parse_error() -> None:
    """A grid message that says nothing about the grid is malformed."""
    with pytest.raises(ParseError):
        parse_grid(message({"object": "GRID_CURRENT", "foo": 1}))
    grid = parse_grid(
        message({"object": "GRID_STATUS", "data": {"grid_actual_p1": "x", "grid_actual_p2": 3}})
    )
    assert (grid.current_l1, grid.current_l2) == (None, 3.0)


def test_charge_cards() -> None:
    """Cards under ``cards``; numeric ids become text; ``valid`` defaults to true."""
    cards = parse_charge_cards(message(bodies()["CHARGE_CARDS"]))
    assert [(c.uid, c.card_id, c.name, c.valid) for c in cards] == [
        ("04AABBCC", "C-1", "Work", True),
        ("04DDEEFF", "2", "Old", False),
    ]
    under_data = parse_charge_cards(
        message({"object": "CHARGE_CARDS", "data": [{"uid": "X", "name": "N"}]})
    )
    assert under_data[0].valid is True


def test_card_without_uid_costs_that_card() -> None:
    """A card that cannot start a session is skipped; the others are read."""
    cards = parse_charge_cards(
        message({"object": "CHARGE_CARDS", "cards": [{"name": "x"}, 7, {"uid": "U", "valid": 0}]})
    )
    assert [(card.uid, card.valid) for card in cards] == [("U", False)]


# Overrides, acknowledgements, errors, short connections


def test_override_schedules() -> None:
    """Days arrive as ``"MO,TU"`` text and become code tuples; ids become text."""
    (schedule,) = parse_override_schedules(message(bodies()["LIST_OVERRIDE_CURRENT"]))
    assert schedule.schedule_id == "7"
    assert schedule.charge_points == (EVSE_ID, "BCU100002")
    assert (schedule.start_time, schedule.stop_time) == (time(17), time(21))
    assert schedule.start_days == ("MO", "TU")
    assert schedule.current == 10.0
    one = parse_override_schedule(message(bodies()["POST_SET_OVERRIDE_CURRENT"]))
    assert one == schedule


@pytest.mark.parametrize(
    "data", [{"override_value": 10}, {"schedule_id": 1.5, "override_value": 10}, 4]
)
def test_schedule_without_a_readable_id_reads_as_none(data: object) -> None:
    """Nothing could edit or clear it; its arrival still confirms the command."""
    body = {"object": "POST_SET_OVERRIDE_CURRENT", "data": data}
    assert parse_override_schedule(message(body)) is None


def test_schedule_fields_in_wrong_shapes_cost_those_fields() -> None:
    """No current, or days that are not text: the schedule is read without them."""
    body = {
        "object": "POST_SET_OVERRIDE_CURRENT",
        "data": {"schedule_id": 1, "override_start_days": 5, "override_end_days": "SA"},
    }
    schedule = parse_override_schedule(message(body))
    assert schedule is not None
    assert (schedule.schedule_id, schedule.current) == ("1", None)
    assert (schedule.start_days, schedule.stop_days) == ((), ("SA",))


def test_acknowledgements() -> None:
    """STATUS_/RECEIVED_ objects name their command; a non-empty error is a refusal."""
    ok = parse_acknowledgement(message(bodies()["STATUS_START_SESSION"]))
    assert (ok.command, ok.evse_id, ok.succeeded) == ("START_SESSION", EVSE_ID, True)
    refused = parse_acknowledgement(
        message({"object": "RECEIVED_SOFT_RESET", "evse_id": "B", "error": "Busy"})
    )
    assert (refused.command, refused.error, refused.succeeded) == ("SOFT_RESET", "Busy", False)
    odd = parse_acknowledgement(message({"object": "STATUS_REBOOT", "error": 3}))
    assert (odd.error, odd.succeeded) == ("", True)


@pytest.mark.parametrize(
    ("body", "succeeded", "reason"),
    [
        ({"success": True, "error": ""}, True, ""),
        ({"success": False, "error": ""}, False, "refused"),
        ({"success": False}, False, "refused"),
        ({"success": True, "error": "REJECTED"}, False, "REJECTED"),
        ({"error": "TIMEOUT"}, False, "TIMEOUT"),
        ({"success": "maybe"}, True, ""),
    ],
)
def test_success_false_is_a_refusal_even_without_an_error(
    body: dict[str, Any], succeeded: bool, reason: str
) -> None:
    """``success: false`` with an empty ``error`` refuses [T][R]."""
    ack = parse_acknowledgement(message({"object": "STATUS_START_SESSION", **body}))
    assert (ack.succeeded, ack.reason) == (succeeded, reason)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"setting": "plug_and_charge: true"}, True),
        ({"setting": "public_charging: false"}, False),
        ({"setting": "unchanged"}, None),
        (True, True),
        (None, None),
    ],
)
def test_setting_confirmation(result: object, expected: bool | None) -> None:
    """The confirmed value is whatever ``result.setting`` says, true or false."""
    body = {"object": "STATUS_SET_PLUG_AND_CHARGE", "evse_id": "B", "result": result}
    assert parse_setting_confirmation(message(body)) is expected


def test_clear_confirmation_and_errors() -> None:
    """POST_CLEAR success, and ERROR codes with their text."""
    assert parse_clear_confirmation(message(bodies()["POST_CLEAR_OVERRIDE_CURRENT"])) is True
    assert (
        parse_clear_confirmation(
            message({"object": "POST_CLEAR_OVERRIDE_CURRENT", "success": False})
        )
        is False
    )
    error = parse_error(message(bodies()["ERROR"]))
    assert (error.code, error.message) == (2, "Not authorized")
    odd = parse_error(message({"object": "ERROR", "error": "x", "message": None}))
    assert (odd.code, odd.message) == (None, "")


def test_token_validation_hides_the_session_token() -> None:
    """The session token is kept, but no repr shows it."""
    validation = parse_token_validation(message(bodies()["STATUS_API_TOKEN"]))
    assert validation.success is True
    assert validation.session_token == "session-secret"
    assert validation.customer_id == "C1"
    assert "session-secret" not in repr(validation)
    refused = parse_token_validation(
        message({"object": "STATUS_API_TOKEN", "success": False, "error": "Invalid api token"})
    )
    assert (refused.success, refused.session_token, refused.error) == (
        False,
        None,
        "Invalid api token",
    )
    with pytest.raises(ParseError, match="token"):
        parse_token_validation(message({"object": "STATUS_API_TOKEN", "success": True}))


def test_account() -> None:
    """The e-mail address is ``login``; the customer id may come from the validation."""
    account = parse_account(message(bodies()["ACCOUNT"]))
    assert (account.customer_id, account.email) == ("C1", "owner@example.com")
    bare = parse_account(message({"object": "ACCOUNT", "login": "a@b.c"}), "C9")
    assert bare.customer_id == "C9"
    with pytest.raises(ParseError, match="login"):
        parse_account(message({"object": "ACCOUNT"}))


def test_messages_are_not_mutated() -> None:
    """Unlike the vendor's library, parsing leaves the decoded message as it was."""
    for body in bodies().values():
        parsed = ServerMessage(body["object"], json.loads(json.dumps(body)))
        before = json.dumps(parsed.body, sort_keys=True)
        for parser in (parse_status, parse_settings, parse_grid):
            with contextlib.suppress(ParseError):
                parser(parsed)
        assert json.dumps(parsed.body, sort_keys=True) == before


def test_time_zone_is_amsterdam() -> None:
    """Sanity of the zone database in both environments: CET in January."""
    moment = parse_timestamp("20240115 00:00:00")
    assert moment is not None
    assert moment.utcoffset() == timedelta(hours=1)
