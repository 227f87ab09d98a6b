"""Every entity, event type and action of the session feature has English and Dutch texts."""

from __future__ import annotations

import json
from pathlib import Path

from custom_components.blue_current import event, session_sensors

TRANSLATIONS = Path(__file__).parents[2] / "custom_components" / "blue_current" / "translations"


def test_session_entities_and_event_types_are_translated() -> None:
    for language in ("en", "nl"):
        texts = json.loads((TRANSLATIONS / f"{language}.json").read_text())
        entities = texts["entity"]
        for description in session_sensors.SESSION_SENSORS:
            assert entities["sensor"][str(description.translation_key)]["name"], description.key
        events = entities["event"][str(event.CHARGE_EVENTS.translation_key)]
        assert events["name"]
        states = events["state_attributes"]["event_type"]["state"]
        assert set(states) == set(event.CHARGE_EVENTS.event_types or ())
        assert all(states.values())
        fields = texts["services"]["list_sessions"]["fields"]
        assert set(fields) == {"device_id", "config_entry_id", "start", "end", "card"}
        for key in ("list_sessions_target", "invalid_period", "invalid_config_entry"):
            assert texts["exceptions"][key]["message"]
