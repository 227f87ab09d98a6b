"""The charge card a session is started with, per charge point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity

from .api import ChargeCard
from .const import DOMAIN
from .coordinator import BlueCurrentConfigEntry, BlueCurrentConnection
from .entity import ChargePointEntity, add_charge_point_entities
from .smart_charging import smart_charging_selects

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
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the card select of every charge point, also when the cards come late."""
    connection = entry.runtime_data
    created: set[str] = set()

    def selects(connection: BlueCurrentConnection, evse_id: str) -> list[ChargeCardSelect]:
        if evse_id in created:
            return []
        entities = charge_point_selects(connection, evse_id)
        if entities:
            created.add(evse_id)
        return entities

    @callback
    def cards_arrived(_changed: frozenset[str] | None = None) -> None:
        """The card list may come after the snapshot (or after a reconnect): add them then."""
        if connection.data.cards is None:
            return
        for evse_id in list(connection.data.charge_points):
            if evse_id not in created:
                async_add_entities(selects(connection, evse_id))

    await add_charge_point_entities(entry, async_add_entities, selects)
    await add_charge_point_entities(entry, async_add_entities, smart_charging_selects)
    # Cards updates reach every listener; the account's (None) one is enough here.
    entry.async_on_unload(connection.async_add_listener(cards_arrived, None))


@dataclass(slots=True)
class CardChoice(ExtraStoredData):
    """The stored choice: restored from here, not from the state (which may be unavailable)."""

    chosen: bool  # False: the charge point's default card
    uid: str | None  # None: no card

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {"chosen": self.chosen, "uid": self.uid}


class ChargeCardSelect(ChargePointEntity, SelectEntity, RestoreEntity):
    """Which card "start charge session" uses; kept across restarts.

    It shows the card the connection will use (``selected_card``): the user's choice while
    that card is valid, else the charge point's default card, else no card. A renamed card
    stays chosen (the choice is its uid, not its label).
    """

    # Nothing it shows comes from the status.
    _reads_status: frozenset[str] = frozenset()

    async def async_added_to_hass(self) -> None:
        """Restore the last choice (a card that is gone or invalid is not used)."""
        extra = await self.async_get_last_extra_data()
        stored = extra.as_dict() if extra is not None else {}
        if stored.get("chosen") is True:
            uid = stored.get("uid")
            self.connection.select_card(self.evse_id, uid if isinstance(uid, str) else None)
        await super().async_added_to_hass()

    @property
    def extra_restore_state_data(self) -> CardChoice:
        """The user's choice, by uid."""
        chosen, uid = self.connection.chosen_card(self.evse_id)
        return CardChoice(chosen, uid)

    def _cards(self) -> dict[str, ChargeCard]:
        return card_labels(self.connection.data.cards or ())

    @property
    def options(self) -> list[str]:
        """No card, then the account's valid cards."""
        return [NO_CARD, *self._cards()]

    @property
    def current_option(self) -> str:
        """The card sessions start with (what ``start charge session`` will use)."""
        uid = self.connection.selected_card(self.evse_id)
        return next((label for label, c in self._cards().items() if c.uid == uid), NO_CARD)

    def shown_value(self) -> Any:
        """The choice and the choices."""
        return (self.current_option, tuple(self.options))

    async def async_select_option(self, option: str) -> None:
        """Use ``option`` for the next sessions started from Home Assistant."""
        if option not in self.options:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_card",
                translation_placeholders={"card": option},
            )
        card = self._cards().get(option)
        self.connection.select_card(self.evse_id, card.uid if card else None)
        self._shown = self._what_is_shown()
        self.async_write_ha_state()
