"""Labels staff give by their actions, kept for `linli train`."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import Correction


def add_correction(session: Session, *, text: str, kind: str, source: str, at: datetime,
                   category: str | None = None, urgent: bool = False,
                   building: str | None = None, item_id: int | None = None) -> Correction:
    row = Correction(text=text, kind=kind, category=category, urgent=urgent, building=building,
                     source=source, item_id=item_id, at=at)
    session.add(row)
    return row


def all_corrections(session: Session) -> list[Correction]:
    return list(session.exec(select(Correction).order_by(Correction.id)))
