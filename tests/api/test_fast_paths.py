"""The shortcuts of the status path read exactly what the plain code reads.

A status message is read thousands of times a minute in a fleet: JSON goes through orjson
when that reads it as ``json`` does, and the client copies its models with direct constructor
calls. These tests pin both to the plain reading.
"""

from __future__ import annotations

from dataclasses import fields, replace
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.blue_current.api import parsing
from custom_components.blue_current.api.client import (
    _with_charge_points,
    _with_settings,
    _with_status,
)
from custom_components.blue_current.api.exceptions import ParseError
from custom_components.blue_current.api.models import (
    AccountData,
    ChargePoint,
    ChargePointData,
    ChargePointSettings,
    ChargePointStatus,
)
from custom_components.blue_current.api.parsing import parse_message

pytestmark = pytest.mark.filterwarnings("ignore:It looks like `register_random`")

# What orjson reads otherwise than ``json`` or refuses, and what both refuse.
EDGE_FRAMES = [
    '{"object": "X", "a": 1e400}',
    '{"object": "X", "a": -1e400}',
    '{"object": "X", "a": NaN}',
    '{"object": "X", "a": Infinity}',
    '{"object": "X", "a": 1.7976931348623157e309}',
    '{"object": "X", "a": 123456789012345678901234567890}',
    '{"object": "X", "a": -9223372036854775809}',
    '{"object": "X", "a": 9223372036854775808}',
    '{"object": "X", "a": 18446744073709551616}',
    '{"object": "X", "a": 18446744073709551615}',
    '{"object": "X", "a": -9223372036854775808}',
    '{"object": "X", "a": 0.12345678901234567890123}',
    '{"object": "X", "a": "\\ud800"}',
    '{"object": "X", "a": "\ud800"}',
    '{"object": "X", "a": 1, "a": 2}',
    '{"object": "X", "a": -0.0, "b": -0, "c": 1E2, "d": 2.2250738585072011e-308}',
    '{"object": "X", "a": "\\u0000\\ud83d\\ude00\u2028"}',
    '{"object": "X", "a": ' + "[" * 1500 + "]" * 1500 + "}",
    '{"object": "X", "a": ' + "[" * 5000 + "]" * 5000 + "}",
    '\ufeff{"object": "X"}',
    '{"object": "X", "a": 01}',
    '{"object": "X", "a": "\x01"}',
    '{"object": "X"} trailing',
    "",
    "[]",
]


def _json_reading(frame: str) -> Any:
    try:
        body = json.loads(frame)
    except (ValueError, RecursionError):
        return ParseError
    return body if isinstance(body, dict) else ParseError


def _our_reading(frame: str) -> Any:
    try:
        return dict(parse_message(frame).body)
    except ParseError:
        return ParseError


def _same(a: Any, b: Any) -> bool:
    """Equal, of the same types, and NaN where the other has NaN."""
    return repr(a) == repr(b) and type(a) is type(b)


@pytest.mark.parametrize("with_orjson", [True, False])
@pytest.mark.parametrize("frame", EDGE_FRAMES)
def test_frames_read_as_json_reads_them(
    frame: str, with_orjson: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numbers beyond 64 bits, NaN, lone surrogates: orjson leaves them to ``json``."""
    if not with_orjson:
        monkeypatch.setattr(parsing, "_orjson_loads", None)
    assert _same(_our_reading(frame), _json_reading(frame))


def test_orjson_is_used_when_there() -> None:
    """Home Assistant always has it: the fast path is not silently off."""
    assert parsing._orjson_loads is not None


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _VALUES, max_size=6), st.booleans())
def test_any_object_reads_as_json_reads_it(body: dict[str, Any], ascii_only: bool) -> None:
    frame = json.dumps({"object": "X", **body}, ensure_ascii=ascii_only)
    assert _same(_our_reading(frame), _json_reading(frame))


def _distinct_values(model: type[Any]) -> dict[str, object]:
    return {field.name: object() for field in fields(model)}


def test_copies_carry_every_field() -> None:
    """A field added to these models must be added to the client's copies too."""
    known = ChargePointData(**_distinct_values(ChargePointData))  # type: ignore[arg-type]
    status = ChargePointStatus(evse_id="B")
    settings_ = ChargePointSettings(evse_id="B")
    assert repr(_with_status(known, status)) == repr(replace(known, status=status))
    assert repr(_with_settings(known, settings_)) == repr(replace(known, settings=settings_))
    data = AccountData(**_distinct_values(AccountData))  # type: ignore[arg-type]
    entry = {"B": ChargePointData(ChargePoint("B", "", "", False))}
    assert repr(_with_charge_points(data, entry)) == repr(replace(data, charge_points=entry))
