"""Translations: English and Dutch complete, and every key the code uses has a text."""

from __future__ import annotations

import json
from pathlib import Path
import re

import yaml

COMPONENT = Path(__file__).parents[2] / "custom_components" / "blue_current"


def flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": "x"}}`` -> ``{"a.b": "x"}``."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def load(language: str) -> dict[str, str]:
    """One language's texts, flattened."""
    return flatten(json.loads((COMPONENT / "translations" / f"{language}.json").read_text()))


def source() -> str:
    """All Python source of the integration."""
    return "\n".join(path.read_text() for path in COMPONENT.rglob("*.py"))


def test_english_and_dutch_have_the_same_keys() -> None:
    """Nothing is shown in English to a Dutch user, and no Dutch text is orphaned."""
    assert set(load("en")) == set(load("nl"))


def test_placeholders_match_between_languages() -> None:
    """A Dutch text uses the same placeholders as the English one."""
    english, dutch = load("en"), load("nl")
    for key, text in english.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", dutch[key])), key


def test_every_translation_key_in_the_code_has_a_text() -> None:
    """Exceptions, repairs and entities raised or described in the code are translated."""
    english = load("en")
    code = source()
    for key in set(re.findall(r'translation_key="(\w+)"', code)):
        assert any(
            k.endswith(f".{key}.message")
            or f".{key}.name" in k
            or k.startswith((f"issues.{key}.", f"exceptions.{key}."))
            for k in english
        ), key
    for key in re.findall(r"translation_key=(\w+),", code):
        if key in {"key", "translation_key", "issue"}:
            continue
        assert any(f".{key}." in k for k in english), key


def test_every_entity_and_state_has_a_text() -> None:
    """Each entity description's key is named, and each enum state too."""
    english = load("en")
    from custom_components.blue_current import (
        binary_sensor,
        button,
        number,
        select,
        sensor,
        switch,
        time,
    )

    platforms = {
        "sensor": [*sensor.CHARGE_POINT_SENSORS, sensor.LIFETIME_ENERGY, *sensor.GRID_SENSORS],
        "binary_sensor": list(binary_sensor.BINARY_SENSORS),
        "switch": list(switch.SWITCHES),
        "button": list(button.BUTTONS),
        "select": [select.CHARGE_CARD],
        "number": list(number.NUMBERS),
        "time": list(time.TIMES),
    }
    for platform, descriptions in platforms.items():
        for description in descriptions:
            assert f"entity.{platform}.{description.translation_key}.name" in english
            for option in getattr(description, "options", None) or ():
                assert f"entity.{platform}.{description.translation_key}.state.{option}" in english
    assert "entity.select.charge_card.state.no_card" in english


def test_every_action_and_field_has_a_text() -> None:
    """services.yaml and the translations describe the same actions and fields."""
    english = load("en")
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text())
    for service, spec in services.items():
        assert f"services.{service}.name" in english
        assert f"services.{service}.description" in english
        for field in spec.get("fields", {}):
            assert f"services.{service}.fields.{field}.name" in english
            assert f"services.{service}.fields.{field}.description" in english
    translated = {key.split(".")[1] for key in english if key.startswith("services.")}
    assert translated == set(services)


def test_manifest() -> None:
    """What HACS and Home Assistant read from the manifest."""
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    assert manifest["domain"] == "blue_current"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["integration_type"] == "hub"
    assert manifest["requirements"] == []
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["issue_tracker"].startswith("https://")
