"""The README documents every action and each of its fields, as services.yaml defines them."""

from __future__ import annotations

from pathlib import Path
import re

import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = REPO / "custom_components" / "blue_current" / "services.yaml"


def _sections(readme: str) -> dict[str, str]:
    """The text under each ``### `blue_current.<action>` `` heading."""
    parts = re.split(r"^### `blue_current\.(\w+)`\n", readme, flags=re.MULTILINE)
    return {
        name: body.split("\n## ", 1)[0].split("\n### ", 1)[0]
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def test_every_action_has_a_table_of_its_fields() -> None:
    """One section per action; its table lists exactly the action's fields."""
    services = yaml.safe_load(SERVICES.read_text())
    sections = _sections((REPO / "README.md").read_text())
    assert set(sections) == set(services)
    for name, spec in services.items():
        documented = set(re.findall(r"^\| `(\w+)` \|", sections[name], flags=re.MULTILINE))
        assert documented == set(spec["fields"]), name
        for field, field_spec in spec["fields"].items():
            row = re.search(rf"^\| `{field}` \| (yes|no) \|", sections[name], flags=re.MULTILINE)
            assert row is not None, (name, field)
            assert (row.group(1) == "yes") == bool(field_spec.get("required")), (name, field)
