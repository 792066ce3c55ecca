"""One building however it is written: `17号楼`, `17栋`, `17幢2单元` are building 17;
`B区5幢` and `b区5栋` are B区5. Items, staff, rooms and digests all match buildings here."""
from __future__ import annotations

import re

_NUMBER = re.compile(r"^\s*(.*?[0-9A-Za-z零〇一二两三四五六七八九十百]+)\s*(?:号楼|栋|幢|座|号)")


def building_key(building: str) -> str:
    """`17号楼`, `17栋2单元` → `17`; `B区5幢` → `B区5`; `二期3号楼` → `二期3`; else as written."""
    m = _NUMBER.match(building)
    return (m.group(1) if m else building.strip()).upper()


def same_building(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and building_key(a) == building_key(b)


def in_buildings(building: str | None, buildings: list[str] | tuple[str, ...] | None) -> bool:
    return any(same_building(building, b) for b in buildings or [])
