"""A simulator of the Blue Current cloud's home-automation websocket endpoint.

It is written independently of the integration's client (no shared code), so that neither can
hide the other's mistakes. Protocol facts it had to guess are marked ``[guess]`` in the code.
"""

from .model import ChargeCard, ChargePointModel, OverrideSchedule, SimAccount, SimChargePoint
from .server import Frame, Simulator

__all__ = [
    "ChargeCard",
    "ChargePointModel",
    "Frame",
    "OverrideSchedule",
    "SimAccount",
    "SimChargePoint",
    "Simulator",
]
