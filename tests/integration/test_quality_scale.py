"""quality_scale.yaml lists every current rule, and the manifest claims only what it reaches."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPONENT = REPO / "custom_components" / "blue_current"


def _validate_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate", REPO / "scripts" / "validate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate = _validate_module()


def rules() -> dict[str, object]:
    """The rules of quality_scale.yaml."""
    data = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text())
    return dict(data["rules"])


def manifest() -> dict[str, object]:
    """manifest.json."""
    return dict(json.loads((COMPONENT / "manifest.json").read_text()))


def test_the_rule_list_is_current() -> None:
    """hassfest's list: 54 rules in four tiers, docs-triggers and docs-conditions included.

    (20 bronze, 10 silver, 21 gold, 3 platinum: script/hassfest/quality_scale.py in core.)
    """
    assert len(validate.RULES) == 54
    tiers = list(validate.RULES.values())
    assert [tiers.count(tier) for tier in validate.TIERS] == [20, 10, 21, 3]
    assert set(validate.RULES.values()) == set(validate.TIERS)
    assert validate.RULES["docs-triggers"] == validate.RULES["docs-conditions"] == "bronze"


def test_every_rule_is_present_once_with_a_status() -> None:
    """Every rule has done, todo or exempt; exempt and todo say why."""
    listed = rules()
    assert set(listed) == set(validate.RULES)
    for name, value in listed.items():
        status = value["status"] if isinstance(value, dict) else value
        assert status in ("done", "todo", "exempt"), name
        if status in ("exempt", "todo"):
            assert isinstance(value, dict), name
            assert str(value.get("comment", "")).strip(), name


def test_manifest_claims_the_tier_the_rules_reach() -> None:
    """The manifest's quality_scale is the highest tier whose rules (and all below) are met."""
    reached = validate.reached_tier(rules())
    assert manifest().get("quality_scale") == reached


def test_reached_tier() -> None:
    """A todo in a tier stops the count there."""
    everything = dict.fromkeys(validate.RULES, "done")
    assert validate.reached_tier(everything) == "platinum"
    assert validate.reached_tier({**everything, "strict-typing": "todo"}) == "gold"
    assert (
        validate.reached_tier({**everything, "discovery": {"status": "exempt", "comment": "x"}})
        == "platinum"
    )
    assert validate.reached_tier({**everything, "brands": "todo"}) is None


def test_code_owners() -> None:
    """Someone owns it, as a GitHub handle (hassfest wants one from silver on)."""
    owners = manifest()["codeowners"]
    assert isinstance(owners, list)
    assert owners
    assert all(isinstance(owner, str) and owner.startswith("@") for owner in owners)
