"""Our requests, byte for byte what the vendor library sends for the same operation.

The vendor library (``bluecurrent-api``, what Home Assistant core uses) is the best record of
what the real service accepts. Its client is driven with a websocket that records instead of
sending; ``Authorization`` is left out (the library adds it when it sends).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any

import pytest

from custom_components.blue_current.api import requests

bluecurrent_api = pytest.importorskip("bluecurrent_api")

EVSE = "BCU100001"
type VendorCall = Callable[[Any], Awaitable[None]]

# operation: (how the vendor library does it, how we do it)
OPERATIONS: dict[str, tuple[VendorCall, requests.Request]] = {
    "list charge points": (lambda c: c.get_charge_points(), requests.get_charge_points()),
    "status": (lambda c: c.get_status(EVSE), requests.get_status(EVSE)),
    "settings": (lambda c: c.get_settings(EVSE), requests.get_settings(EVSE)),
    "grid status": (lambda c: c.get_grid_status(EVSE), requests.get_grid_status(EVSE)),
    "charge cards": (lambda c: c.get_charge_cards(), requests.get_charge_cards()),
    "plug and charge on": (
        lambda c: c.set_plug_and_charge(EVSE, True),
        requests.set_plug_and_charge(EVSE, True),
    ),
    "linked cards only on": (
        lambda c: c.set_linked_charge_cards_only(EVSE, True),
        requests.set_public_charging(EVSE, False),
    ),
    "block": (lambda c: c.block(EVSE, True), requests.set_blocked(EVSE, True)),
    "unblock": (lambda c: c.block(EVSE, False), requests.set_blocked(EVSE, False)),
    "soft reset": (lambda c: c.reset(EVSE), requests.soft_reset(EVSE)),
    "reboot": (lambda c: c.reboot(EVSE), requests.reboot(EVSE)),
    "start with a card": (
        lambda c: c.start_session(EVSE, "04AABBCC"),
        requests.start_session(EVSE, "04AABBCC"),
    ),
    "start without a card": (
        lambda c: c.start_session(EVSE, "BCU-APP"),
        requests.start_session(EVSE, None),
    ),
    "stop": (lambda c: c.stop_session(EVSE), requests.stop_session(EVSE)),
}


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_request(self, request: dict[str, Any]) -> None:
        self.sent.append(dict(request))


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_request_matches_the_vendor_library(operation: str) -> None:
    """The same JSON object, field for field."""
    vendor_call, ours = OPERATIONS[operation]
    client = bluecurrent_api.Client()
    recorder = _Recorder()
    client.websocket = recorder
    await vendor_call(client)
    assert recorder.sent == [json.loads(ours.encode())]
