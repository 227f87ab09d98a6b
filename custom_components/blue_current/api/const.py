"""Fixed facts of the Blue Current websocket protocol."""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo

DEFAULT_URL: Final = "wss://motown.bluecurrent.nl/haserver"

# The service reports local times in, and resets its request budget by, Dutch time.
SERVICE_TIMEZONE: Final = ZoneInfo("Europe/Amsterdam")

# Sent as the card of a session started without a charge card (from the app).
APP_CARD_UID: Final = "BCU-APP"

# Who we are in HELLO; the vendor's library sends the same.
HELLO_HEADER: Final = "homeassistant"

# How many charge cards GET_CHARGE_CARDS asks for, as the vendor's library does.
CARD_LIMIT: Final = 100

REJECT_REASON_HEADER: Final = "x-websocket-reject-reason"
REJECT_REQUEST_LIMIT: Final = "Request limit reached"
REJECT_ALREADY_CONNECTED: Final = "Already connected"
CLOSE_CODE_REQUEST_LIMIT: Final = 4001

# Codes of the ERROR object.
ERROR_UNKNOWN_COMMAND: Final = 0
ERROR_INVALID_AUTH_TOKEN: Final = 1
ERROR_NOT_AUTHORIZED: Final = 2
ERROR_UNKNOWN: Final = 9
ERROR_REQUEST_LIMIT: Final = 42
