"""De-duplication by message id. Only the id and time are kept, never the text."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import SeenMessage


def first_time_seen(session: Session, msg_id: str, at: datetime) -> bool:
    """True the first time an id arrives; it is then remembered."""
    if session.get(SeenMessage, msg_id) is not None:
        return False
    session.add(SeenMessage(id=msg_id, at=at))
    session.flush()
    return True
