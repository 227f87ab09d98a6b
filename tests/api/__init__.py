"""Tests of the protocol client (custom_components/blue_current/api)."""
