"""Tests of issue 14's controls: smart-charging select, current limit, evcc entities."""
