"""Opening websockets to the service, and naming why one could not open or had to close."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

import aiohttp

from .const import (
    CLOSE_CODE_REQUEST_LIMIT,
    REJECT_ALREADY_CONNECTED,
    REJECT_REASON_HEADER,
    REJECT_REQUEST_LIMIT,
    SERVICE_TIMEZONE,
)
from .exceptions import (
    AlreadyConnectedError,
    BlueCurrentConnectionError,
    BlueCurrentError,
    RequestLimitReachedError,
)


def next_limit_reset(now: datetime | None = None) -> datetime:
    """When the daily request budget is renewed: the next midnight, Dutch time."""
    local = (now or datetime.now(SERVICE_TIMEZONE)).astimezone(SERVICE_TIMEZONE)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=SERVICE_TIMEZONE)


def request_limit_reached() -> RequestLimitReachedError:
    """The error for a spent request budget, with the moment it renews."""
    return RequestLimitReachedError(next_limit_reset())


def rejection_error(status: int, headers: Mapping[str, str] | None) -> BlueCurrentError:
    """Name an HTTP rejection of the websocket upgrade by its ``x-websocket-reject-reason``."""
    reason = (headers or {}).get(REJECT_REASON_HEADER, "").lower()
    if REJECT_REQUEST_LIMIT.lower() in reason:
        return request_limit_reached()
    if REJECT_ALREADY_CONNECTED.lower() in reason:
        return AlreadyConnectedError("Another connection from this address is open")
    return BlueCurrentConnectionError(f"The service refused the connection (HTTP {status})")


def close_error(code: int | None) -> BlueCurrentError:
    """Name the end of a connection the service closed with ``code``."""
    if code == CLOSE_CODE_REQUEST_LIMIT:
        return request_limit_reached()
    return BlueCurrentConnectionError(f"The service closed the connection (code {code})")


async def open_websocket(
    session: aiohttp.ClientSession,
    url: str,
    *,
    heartbeat: float | None,
    close_timeout: float,
) -> aiohttp.ClientWebSocketResponse:
    """Open a websocket to ``url``; every failure is a ``BlueCurrentError``.

    ``close_timeout`` bounds how long closing waits for the service to close too.
    """
    try:
        return await session.ws_connect(
            url,
            heartbeat=heartbeat,
            autoping=True,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=close_timeout),
        )
    except aiohttp.WSServerHandshakeError as err:
        raise rejection_error(err.status, err.headers) from None
    except (aiohttp.ClientError, OSError) as err:
        raise BlueCurrentConnectionError(
            f"Cannot reach the service ({type(err).__name__})"
        ) from err
