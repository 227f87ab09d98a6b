"""The client's tests need no Home Assistant: keep its ``hass`` fixture out of them."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture, which would start a Home Assistant for every test."""
