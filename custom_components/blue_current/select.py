"""The charge card a session is started with, per charge point."""

from __future__ import annotations

from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .api import ChargeCard
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities

PARALLEL_UPDATES = 0
NO_CARD = "no_card"  # start without a card (the app's own session token)

CHARGE_CARD = SelectEntityDescription(
    key="charge_card",
    translation_key="charge_card",
    entity_category=EntityCategory.CONFIG,
)


def card_labels(cards: tuple[ChargeCard, ...]) -> dict[str, ChargeCard]:
    """A label a user recognises for each valid card: its name, made unique by its id."""
    valid = [card for card in cards if card.valid]
    names = [card.name or card.card_id for card in valid]
    return {
        (name if names.count(name) == 1 else f"{name} ({card.card_id})"): card
        for name, card in zip(names, valid, strict=True)
    }


def charge_point_selects(connection: BlueCurrentConnection, evse_id: str) -> list[ChargeCardSelect]:
    """The card select, for accounts whose cards the service listed."""
    if connection.data.cards is None:
        return []
    return [ChargeCardSelect(connection, CHARGE_CARD, evse_id)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BlueCurrentConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Set up the card select of every charge point."""
    await add_charge_point_entities(entry, async_add_entities, charge_point_selects)


class ChargeCardSelect(ChargePointEntity, SelectEntity, RestoreEntity):
    """Which card "start charge session" uses; kept across restarts."""

    # Nothing it shows comes from the status.
    _reads_status: frozenset[str] = frozenset()

    _label: str = NO_CARD

    async def async_added_to_hass(self) -> None:
        """Restore the last choice when the card still exists."""
        last = await self.async_get_last_state()
        if last is not None and last.state in self.options:
            self._choose(last.state)
        await super().async_added_to_hass()

    def _cards(self) -> dict[str, ChargeCard]:
        return card_labels(self.connection.data.cards or ())

    @property
    def options(self) -> list[str]:
        """No card, then the account's valid cards."""
        return [NO_CARD, *self._cards()]

    @property
    def current_option(self) -> str:
        """The chosen card; back to no card when the chosen one disappeared."""
        return self._label if self._label in self.options else NO_CARD

    def shown_value(self) -> Any:
        """The choice and the choices."""
        return (self.current_option, tuple(self.options))

    def _choose(self, label: str) -> None:
        self._label = label
        card = self._cards().get(label)
        self.connection.select_card(self.evse_id, card.uid if card else None)

    async def async_select_option(self, option: str) -> None:
        """Use ``option`` for the next sessions started from Home Assistant."""
        if option not in self.options:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_card",
                translation_placeholders={"card": option},
            )
        self._choose(option)
        self._shown = self._what_is_shown()
        self.async_write_ha_state()
