"""Frames shaped like the real Blue Current service's, from public sources (see docs/corpus.md).

Each ``*.json`` file here holds the frames of one source: ``source`` (repository, path,
version), ``mark`` (protocol.md's letter for it), ``notes`` and ``frames``. A frame has a
``name`` (unique over the corpus), the ``kind`` of object, ``complete`` (whether its key set
is the whole frame the source shows, or only the fields it cares about), optional ``open``
paths (objects that may carry more keys than shown) and a ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
import json
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class CorpusFrame:
    """One frame of the corpus and where it comes from."""

    name: str
    kind: str
    source: str
    mark: str
    complete: bool
    open_paths: tuple[str, ...]
    note: str
    frame: dict[str, Any]

    @property
    def text(self) -> str:
        """The frame as a websocket would carry it."""
        return json.dumps(self.frame)


def _frames_of(path: Path) -> list[CorpusFrame]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        CorpusFrame(
            name=entry["name"],
            kind=entry["kind"],
            source=document["source"],
            mark=document["mark"],
            complete=bool(entry.get("complete", False)),
            open_paths=tuple(entry.get("open", ())),
            note=entry.get("note", ""),
            frame=entry["frame"],
        )
        for entry in document["frames"]
    ]


@cache
def _load() -> tuple[CorpusFrame, ...]:
    frames = [f for path in sorted(CORPUS_DIR.glob("*.json")) for f in _frames_of(path)]
    names = [f.name for f in frames]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"corpus frame names used twice: {sorted(duplicates)}")
    return tuple(frames)


def load_corpus() -> list[CorpusFrame]:
    """Every corpus frame, in file order (a fresh list; the frames are shared, do not mutate)."""
    return list(_load())


def corpus_frame(name: str) -> CorpusFrame:
    """One frame by name."""
    for frame in _load():
        if frame.name == name:
            return frame
    raise KeyError(name)


def frames_of_kind(kind: str) -> list[CorpusFrame]:
    """Every frame of one object kind, e.g. ``"CH_SETTINGS"``."""
    return [f for f in _load() if f.kind == kind]
