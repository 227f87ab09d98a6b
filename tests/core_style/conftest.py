"""Core's test style beside ours: snapshots of Home Assistant's own objects.

Those objects (registry entries, states, config entries in diagnostics) gain fields between
Home Assistant versions, so each version line gets its own snapshot directory:
``snapshots-2025.4`` (the oldest environment) and ``snapshots-2026.10`` (the newest test
package). Update both with ``--snapshot-update`` in each environment.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

HA_LINE = f"{MAJOR_VERSION}.{MINOR_VERSION}"


class PerVersionSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's serializer, one snapshot directory per Home Assistant version line."""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        """``snapshots-<major>.<minor>`` beside the test file."""
        return str(Path(test_location.filepath).parent / f"snapshots-{HA_LINE}")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots per Home Assistant version line."""
    return snapshot.use_extension(PerVersionSnapshotExtension)


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Core's config-flow fixture: the entry is created but nothing connects."""
    with patch(
        "custom_components.blue_current.async_setup_entry", return_value=True
    ) as setup_entry:
        yield setup_entry
