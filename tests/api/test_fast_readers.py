"""The snapshot's direct readers read exactly what the field tables read.

CHARGE_POINTS items, CH_SETTINGS and whole CH_STATUS are read by direct code first and by the
field tables when that code meets anything out of the ordinary. These tests hold the two side
by side on every corpus frame, on the simulator's frames and on mutations of both, and check
that the direct code never logs (what is unreadable is the tables' to say, once).
"""

from __future__ import annotations

from collections.abc import Callable
import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from bluecurrent_simulator import wire
from bluecurrent_simulator.server import Simulator
from custom_components.blue_current.api import parsing, requests
from custom_components.blue_current.api.exceptions import ParseError
from custom_components.blue_current.api.models import ChargePointSettings, ChargePointStatus
from custom_components.blue_current.api.parsing import parse_message
from custom_components.blue_current.api.requests import Request
from custom_components.blue_current.api.snapshot import Part, Snapshot
from tests.corpus import load_corpus

from .messages import EVSE_ID, bodies, json_paths, settings_data, status_data

pytestmark = pytest.mark.filterwarnings("ignore:It looks like `register_random`")

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_KINDS = ("CH_STATUS", "CH_SETTINGS", "CHARGE_POINTS")


def _simulator_bodies() -> list[dict[str, Any]]:
    """The simulator's frames in both of its shapes, charging or not, profiles on or off."""
    simulator = Simulator()
    account = simulator.add_account(charge_points=3)
    idle, charging, other = account.charge_points.values()
    charging.plug_in(simulator.now, demand_kwh=40.0)
    other.delayed.enabled = True
    found: list[dict[str, Any]] = []
    for shapes in wire.SHAPES:
        found.append(wire.charge_points(account, shapes))
        for charge_point in (idle, charging, other):
            found.append(wire.status(charge_point, shapes))
            found.append(wire.settings(charge_point, shapes))
    return json.loads(json.dumps(found))  # as the wire carries them


BASES: list[dict[str, Any]] = [
    *(frame.frame for frame in load_corpus() if frame.kind in _KINDS),
    *(body for name, body in bodies().items() if name in _KINDS),
    *_simulator_bodies(),
]


def _outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except ParseError:
        return ParseError


def _previous_settings(evse_id: str) -> ChargePointSettings:
    data = settings_data(led_intensity={"value": 30, "permission": "read"})
    data["capacity_tariff"] = {"value": True, "permission": "write", "capacitytariffmaxkwh": 2.5}
    return parsing._settings_by_table(data, evse_id, None)


def _previous_status(evse_id: str) -> ChargePointStatus:
    return parsing._status_by_table(status_data(), evse_id, None)


def _assert_same_reading(body: dict[str, Any]) -> None:
    """Direct and table reading agree on ``body``, and the direct code logged nothing."""
    message = parse_message(json.dumps(body))
    if message.name == "CHARGE_POINTS":
        items = message.body.get("data")
        for item in items if isinstance(items, list) else []:
            logged = set(parsing._UNREADABLE_LOGGED)
            fast = _outcome(lambda item=item: parsing._charge_point_fast(item))
            assert logged == parsing._UNREADABLE_LOGGED
            if fast is not ParseError:
                assert fast == _outcome(lambda item=item: parsing._charge_point_by_table(item))
            assert _outcome(lambda item=item: parsing._charge_point(item)) == _outcome(
                lambda item=item: parsing._charge_point_by_table(item)
            )
        return
    try:
        data, evse_id = parsing._data_with_evse_id(message)
    except (ParseError, *parsing._UNEXPECTED):
        return  # no data to read: both readers share this step
    if message.name == "CH_SETTINGS":
        for previous in (None, _previous_settings(evse_id)):
            logged = set(parsing._UNREADABLE_LOGGED)
            fast = _outcome(
                lambda previous=previous: parsing._settings_fast(data, evse_id, previous)
            )
            assert logged == parsing._UNREADABLE_LOGGED
            table = parsing._settings_by_table(data, evse_id, previous)
            if fast is not ParseError:
                assert fast == table
            assert parsing.parse_settings(message, previous) == table
    elif message.name == "CH_STATUS":
        for previous in (None, _previous_status(evse_id)):
            if data.keys() >= parsing._STATUS_KEYS:
                logged = set(parsing._UNREADABLE_LOGGED)
                fast = _outcome(lambda: parsing._status_fast(data, evse_id))
                assert logged == parsing._UNREADABLE_LOGGED
                if fast is not ParseError:
                    assert fast == parsing._status_by_table(data, evse_id, previous)
            table = parsing._status_by_table(data, evse_id, previous)
            assert parsing.parse_status(message, previous) == table


@pytest.mark.parametrize("body", BASES, ids=lambda body: str(body.get("object")))
def test_direct_readers_read_what_the_tables_read(body: dict[str, Any]) -> None:
    """On every corpus and simulator frame, the direct reading is the tables' reading."""
    _assert_same_reading(body)


def test_direct_readers_take_the_service_shapes() -> None:
    """The shapes the service sends go through the direct code, not the tables."""
    for body in _simulator_bodies():
        message = parse_message(json.dumps(body))
        if message.name == "CHARGE_POINTS":
            for item in message.body["data"]:
                parsing._charge_point_fast(item)
        elif message.name == "CH_SETTINGS":
            data, evse_id = parsing._data_with_evse_id(message)
            parsing._settings_fast(data, evse_id, None)
        else:
            data, evse_id = parsing._data_with_evse_id(message)
            assert data.keys() >= parsing._STATUS_KEYS
            parsing._status_fast(data, evse_id)


# Values of the kinds the readers tell apart: bools beside 0/1, ints beside floats, words.
_VALUES = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        1,
        1.0,
        7,
        8,
        -1,
        2.5,
        1e13,
        10**20,
        "",
        "write",
        "WRITE ",
        "read",
        "none",
        "BCU-APP",
        "BCU_HOME_USE",
        "22:00",
        "25:00",
        "[1,2]",
        "20240115 08:30:00",
        "20240115 08:30:00+01:00",
        "C",
        "charging",
        [],
        [1, 2],
        [True],
        [1.0],
        {},
        {"value": True},
        {"value": 1, "permission": "write"},
        {"value": False, "permission": None},
        {"value": True, "permission": ["write"]},
        {"uid": "04AA", "valid": 1},
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A frame of the service's shapes with a few values deleted, replaced or added."""
    body = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(json_paths(body)))
        parent: Any = body
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete" and path[-1] != "object":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            key = draw(st.sampled_from(["value", "permission", "uid", "valid", "id", "x"]))
            parent[key] = copy.deepcopy(draw(_VALUES))
        elif path[-1] != "object":
            parent[path[-1]] = copy.deepcopy(draw(_VALUES))
    return body


@PROPERTY_SETTINGS
@given(mutated())
def test_direct_readers_read_mutations_as_the_tables_do(body: dict[str, Any]) -> None:
    """Whatever a frame holds, the direct reading is the tables' reading (or gives way)."""
    _assert_same_reading(body)


def test_a_malformed_field_is_still_logged_once() -> None:
    """The direct code gives way to the tables, which log the field and read the rest."""
    parsing._UNREADABLE_LOGGED.clear()
    data = settings_data(smart_charging="yes")
    message = parse_message(json.dumps({"object": "CH_SETTINGS", "evse_id": EVSE_ID, "data": data}))
    read = parsing.parse_settings(message)
    assert read.smart_charging is None
    assert read.name == "Driveway"
    assert {"CH_SETTINGS.smart_charging"} == parsing._UNREADABLE_LOGGED


@PROPERTY_SETTINGS
@given(
    st.text(max_size=12),
    st.none() | st.text(max_size=12),
    st.none() | st.text(max_size=40),
)
def test_requests_are_written_as_json_dumps_writes_them(
    command: str, evse_id: str | None, authorization: str | None
) -> None:
    """The direct writing of a request without fields is ``json.dumps`` of its payload."""
    payload: dict[str, Any] = {"command": command}
    if evse_id is not None:
        payload["evse_id"] = evse_id
    if authorization is not None:
        payload["Authorization"] = authorization
    assert Request(command, evse_id).encode(authorization) == json.dumps(payload)


def test_snapshot_requests_are_written_as_before() -> None:
    """The snapshot's own requests, byte for byte."""
    assert requests.get_status("BCU1").encode("Token t") == (
        '{"command": "GET_CH_STATUS", "evse_id": "BCU1", "Authorization": "Token t"}'
    )
    assert requests.get_charge_cards().encode("Token t") == (
        '{"command": "GET_CHARGE_CARDS", "limit": 100, "Authorization": "Token t"}'
    )


async def test_the_snapshot_follows_a_list_that_changes() -> None:
    """Completion counts what the latest list names, whatever arrived before it."""
    snapshot = Snapshot()
    snapshot.arrived(Part.STATUS, "A")
    snapshot.expect(["A", "B"])
    for part, evse_id in ((Part.SETTINGS, "A"), (Part.STATUS, "B")):
        snapshot.arrived(part, evse_id)
    assert not snapshot.complete
    snapshot.expect(["A"])
    assert snapshot.complete
    other = Snapshot()
    other.expect(["A", "B"])
    for part in Part:
        other.arrived(part, "A")
    other.expect(["B"])
    assert not other.complete
    other.arrived(Part.SETTINGS, "B")
    other.arrived(Part.STATUS, "B")
    assert other.complete
