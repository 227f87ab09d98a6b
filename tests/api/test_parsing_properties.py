"""Property-based tests: whatever the service sends, parsers raise ParseError or nothing."""

from __future__ import annotations

import copy
from datetime import datetime
import json
from typing import Any, cast

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.blue_current.api import (
    BlueCurrentClient,
    ChargePointStatus,
    ParseError,
)
from custom_components.blue_current.api.client import _Connection
from custom_components.blue_current.api.parsing import (
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

from .messages import bodies, json_paths, message

PARSERS = (
    parse_account,
    parse_acknowledgement,
    parse_charge_cards,
    parse_charge_points,
    parse_clear_confirmation,
    parse_error,
    parse_grid,
    parse_override_schedule,
    parse_override_schedules,
    parse_setting_confirmation,
    parse_settings,
    parse_status,
    parse_token_validation,
    subject_evse_id,
)

# Hypothesis itself warns on Python 3.14 about its own global random generator.
pytestmark = pytest.mark.filterwarnings("ignore:It looks like `register_random`")

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

# Values that look like what the service sends, so that mutations reach deep into parsers.
plausible_values = (
    st.sampled_from(
        ["", "A", "C", "charging", "20240115 08:30:00", "20240115 08:30:00+0100", "22:00", "MO,TU"]
    )
    | json_values
)


@st.composite
def mutated_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed server message with a few fields deleted, replaced or added."""
    name = draw(st.sampled_from(sorted(bodies())))
    body = copy.deepcopy(bodies()[name])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = json_paths(body)
        path = draw(st.sampled_from(paths))
        parent: Any = body
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete" and path[-1] != "object":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(plausible_values)
        else:
            parent[path[-1]] = draw(plausible_values)
    return body


def _run_every_parser(parsed: ServerMessage) -> None:
    for parser in PARSERS:
        try:
            result = parser(parsed)  # type: ignore[operator]
        except ParseError:
            continue
        if isinstance(result, ChargePointStatus):
            _assert_status_typed(result)


def _assert_status_typed(status: ChargePointStatus) -> None:
    assert isinstance(status.evse_id, str)
    assert status.evse_id
    for field in ("voltage_l1", "current_l1", "session_energy_kwh", "max_usage"):
        assert isinstance(getattr(status, field), float | None)
    for field in ("session_start", "session_stop", "offline_since"):
        moment = getattr(status, field)
        assert moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None)


@PROPERTY_SETTINGS
@given(st.text() | st.binary())
def test_any_frame_decodes_or_raises_parse_error(frame: str | bytes) -> None:
    """Random text or bytes: a ServerMessage or a ParseError, nothing else."""
    try:
        parsed = parse_message(frame)
    except ParseError:
        return
    assert parsed.name


@PROPERTY_SETTINGS
@given(
    st.dictionaries(st.text(max_size=12), json_values, max_size=6),
    st.sampled_from(sorted(bodies())),
)
def test_random_bodies_raise_only_parse_error(body: dict[str, Any], name: str) -> None:
    """Any JSON object named like a known message goes through every parser safely."""
    body["object"] = name
    _run_every_parser(parse_message(json.dumps(body)))


@PROPERTY_SETTINGS
@given(mutated_bodies())
def test_mutated_messages_raise_only_parse_error(body: dict[str, Any]) -> None:
    """Well-formed messages with fields deleted, retyped or added: ParseError or a model."""
    try:
        parsed = parse_message(json.dumps(body))
    except ParseError:
        return
    _run_every_parser(parsed)


@PROPERTY_SETTINGS
@given(mutated_bodies(), mutated_bodies())
def test_partial_merges_raise_only_parse_error(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    """Merging a mutated push into a mutated earlier status or settings stays safe."""
    first["object"] = second["object"] = "CH_STATUS"
    for parser in (parse_status, parse_settings):
        try:
            previous = parser(message(first))  # type: ignore[arg-type]
            parser(message(second), previous)  # type: ignore[arg-type]
        except ParseError:
            continue


@PROPERTY_SETTINGS
@given(json_values | st.text(alphabet="0123456789 :+-T", max_size=30))
def test_timestamps_raise_only_parse_error(raw: object) -> None:
    """Timestamps of any shape: an aware datetime, None, or ParseError."""
    try:
        moment = parse_timestamp(raw)
    except ParseError:
        return
    assert moment is None or moment.tzinfo is not None


class _NoSession:
    """Stands in for the aiohttp session: frame handling must never touch the network."""


@pytest.fixture(name="client")
def client_with_charge_points() -> tuple[BlueCurrentClient, _Connection]:
    """A client that knows two charge points, fed frames directly."""
    client = BlueCurrentClient(cast(Any, _NoSession()), "api-token")
    connection = _Connection(socket=cast(Any, None))
    client._connection = connection
    client._handle_frame(connection, json.dumps(bodies()["CHARGE_POINTS"]))
    client._handle_frame(connection, json.dumps(bodies()["CH_STATUS"]))
    client._handle_frame(connection, json.dumps(bodies()["CH_SETTINGS"]))
    return client, connection


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(frames=st.lists(mutated_bodies(), min_size=1, max_size=5))
def test_client_handles_any_message_without_raising(
    client: tuple[BlueCurrentClient, _Connection], frames: list[dict[str, Any]]
) -> None:
    """The client's dispatch (parsing, merging, answering) never raises on a server message."""
    bc_client, connection = client
    before = bc_client.stats.messages_received
    for body in frames:
        bc_client._handle_frame(connection, json.dumps(body))
    assert bc_client.stats.messages_received == before + len(frames)
    for entry in bc_client.data.charge_points.values():
        if entry.status is not None:
            _assert_status_typed(entry.status)
