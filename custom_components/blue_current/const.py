"""Constants of the Blue Current integration."""

from __future__ import annotations

import logging
from typing import Final

from homeassistant.const import Platform

DOMAIN: Final = "blue_current"
LOGGER = logging.getLogger(__package__)

# Entry data: the endpoint, stored only when it is not the real service (simulator, demo).
CONF_ENDPOINT: Final = "endpoint"

PLATFORMS: Final = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]

# How long setup waits for the status and settings of every charge point. Core waits forever.
SNAPSHOT_TIMEOUT: Final = 30.0
# How long a command may wait for the service's acknowledgement.
REQUEST_TIMEOUT: Final = 10.0
# How long a charge point's verdict may take after the service accepted a command; the real
# service's verdicts come after about 30 s.
VERDICT_TIMEOUT: Final = 60.0

# Reconnecting. The service drops connections often, so the first retry is almost immediate;
# after that the delay doubles (with jitter, so many installations don't retry in lockstep).
FIRST_RETRY_DELAY: Final = 1.0
MAX_RETRY_DELAY: Final = 300.0
# A connection that stayed up this long was healthy: the next drop starts the back-off afresh.
STABLE_CONNECTION: Final = 60.0

ISSUE_REQUEST_LIMIT: Final = "request_limit_reached"
ISSUE_ALREADY_CONNECTED: Final = "already_connected"

# Core's grid sensors had account-less unique ids; ours carry the customer id.
CORE_GRID_KEYS: Final = (
    "grid_actual_p1",
    "grid_actual_p2",
    "grid_actual_p3",
    "grid_avg_current",
    "grid_max_current",
)
