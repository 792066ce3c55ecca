"""What leaves the system: the state file of SPEC §6 (and the web page's item list)."""
from __future__ import annotations

from sqlmodel import Session, select

from storage.items import reporters
from storage.models import Ballot, Item, Supporter, Vote
from storage.votes import eligible_count


def item_public(session: Session, item: Item) -> dict:
    supporters = session.exec(select(Supporter.person_id).where(Supporter.item_id == item.id)
                              .order_by(Supporter.at, Supporter.person_id))
    return {
        "id": item.id, "kind": item.kind, "status": item.status, "category": item.category,
        "building": item.building, "room": item.room_id,
        "reporters": [r.person_id for r in reporters(session, item.id)],
        "assignee": item.assignee_id, "level": item.level, "urgent": item.urgent,
        "rating": item.rating, "supporters": list(supporters), "merged_into": item.merged_into,
    }


def vote_public(session: Session, vote: Vote) -> dict:
    result = vote.result or {}
    if "tally" in result:
        tally = result["tally"]
    else:
        tally = {opt: 0 for opt in vote.options}
        for ballot in session.exec(select(Ballot).where(Ballot.vote_id == vote.id)):
            tally[ballot.option] = tally.get(ballot.option, 0) + 1
    return {
        "id": vote.id, "item": vote.item_id, "status": vote.status, "rule": vote.rule,
        "tally": tally, "voters": result.get("voters", sum(tally.values())),
        "eligible": result["eligible"] if "eligible" in result else eligible_count(session, vote),
        "passed": result.get("passed"),
    }


def state(session: Session) -> dict:
    items = session.exec(select(Item).order_by(Item.id))
    votes = session.exec(select(Vote).order_by(Vote.id))
    return {"items": [item_public(session, i) for i in items],
            "votes": [vote_public(session, v) for v in votes]}
