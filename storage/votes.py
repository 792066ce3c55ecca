"""Votes, ballots, electorates and supporters: the only place that queries those tables.

Anonymous votes never store who voted what in plain text: a ballot's `voter_key` is
HMAC-SHA256(secret, "vote id:contact id") with a secret kept in the `secret` table, so the
bot can tell a changed ballot from a new one and nobody reading the database can read a
name off a ballot.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import secrets
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Ballot, RoomMember, Secret, Supporter, Vote, VoteAck, VoteElector

BALLOT_KEY = "ballot-hash-key"
OPEN, CLOSED = "open", "closed"
CIVIL_RULES = ("双过半", "双四分之三")


# -- supporters (附议) ---------------------------------------------------------------------

def add_supporter(session: Session, item_id: int, person_id: str, at: datetime) -> bool:
    """True when this person's support is new (support counts once per person)."""
    if session.get(Supporter, (item_id, person_id)) is not None:
        return False
    session.add(Supporter(item_id=item_id, person_id=person_id, at=at))
    session.flush()
    return True


def supporter_ids(session: Session, item_id: int) -> list[str]:
    return list(session.exec(select(Supporter.person_id).where(Supporter.item_id == item_id)
                             .order_by(Supporter.at, Supporter.person_id)))


# -- votes -----------------------------------------------------------------------------------

def create_vote(session: Session, **fields) -> Vote:
    vote = Vote(**fields)
    session.add(vote)
    session.flush()
    return vote


def get_vote(session: Session, vote_id: int) -> Vote | None:
    return session.get(Vote, vote_id)


def vote_of_item(session: Session, item_id: int) -> Vote | None:
    """The item's latest vote (open before closed)."""
    return session.exec(select(Vote).where(Vote.item_id == item_id)
                        .order_by((Vote.status == OPEN).desc(), Vote.id.desc())).first()


def open_votes(session: Session, room_id: str | None = None) -> list[Vote]:
    query = select(Vote).where(Vote.status == OPEN)
    if room_id is not None:
        query = query.where(Vote.room_id == room_id)
    return list(session.exec(query.order_by(Vote.id)))


def closed_since(session: Session, room_id: str, since: datetime) -> list[Vote]:
    """Votes of the room that closed at or after `since` (a ballot typed a little late)."""
    return list(session.exec(select(Vote).where(Vote.status != OPEN, Vote.room_id == room_id,
                                                Vote.closed_at >= since).order_by(Vote.id)))


def is_civil(vote: Vote) -> bool:
    return vote.rule in CIVIL_RULES


# -- who may vote ----------------------------------------------------------------------------

def _secret(session: Session) -> bytes:
    row = session.get(Secret, BALLOT_KEY)
    if row is None:
        row = Secret(name=BALLOT_KEY, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def voter_key(session: Session, vote: Vote, person_id: str) -> str:
    """The contact id for a named vote; a keyed hash for an anonymous one."""
    if not vote.anonymous:
        return person_id
    return hmac.new(_secret(session), f"{vote.id}:{person_id}".encode(), hashlib.sha256).hexdigest()


def set_electorate(session: Session, vote: Vote, owners: dict[str, Fraction]) -> None:
    for contact, area in owners.items():
        session.add(VoteElector(vote_id=vote.id, voter_key=voter_key(session, vote, contact),
                                area=str(Fraction(area))))
    session.flush()


def electorate(session: Session, vote: Vote) -> dict[str, Fraction]:
    rows = session.exec(select(VoteElector).where(VoteElector.vote_id == vote.id))
    return {r.voter_key: Fraction(r.area) for r in rows}


def eligible_count(session: Session, vote: Vote) -> int:
    """Owners by head (Civil Code rules) or members of the vote's room (过半/三分之二)."""
    if is_civil(vote):
        return session.exec(select(func.count()).select_from(VoteElector)
                            .where(VoteElector.vote_id == vote.id)).one()
    # the room's members now, plus whoever voted and has left the group since: a ballot cast
    # by a member stays counted, so its voter stays in the count (cast ≤ eligible)
    members = session.exec(select(RoomMember.person_id).where(RoomMember.room_id == vote.room_id)).all()
    keys = set(members)
    if vote.anonymous:  # the key once, not once per member (500 members: 55 → 3 ms)
        secret = _secret(session)
        keys = {hmac.new(secret, f"{vote.id}:{m}".encode(), hashlib.sha256).hexdigest() for m in members}
    voters = session.exec(select(Ballot.voter_key).where(Ballot.vote_id == vote.id)).all()
    return len(members) + sum(1 for k in voters if k not in keys)


def is_eligible(session: Session, vote: Vote, person_id: str) -> bool:
    if is_civil(vote):
        key = voter_key(session, vote, person_id)
        return session.get(VoteElector, (vote.id, key)) is not None
    return session.get(RoomMember, (vote.room_id, person_id)) is not None


# -- ballots ---------------------------------------------------------------------------------

def cast(session: Session, vote: Vote, person_id: str, option: str, at: datetime) -> str | None:
    """Record or change a ballot; the last one counts. Returns the previous option, if any."""
    key = voter_key(session, vote, person_id)
    ballot = session.exec(select(Ballot).where(Ballot.vote_id == vote.id,
                                               Ballot.voter_key == key)).first()
    before = ballot.option if ballot else None
    if ballot is None:
        ballot = Ballot(vote_id=vote.id, voter_key=key, option=option, at=at,
                        voter_id=None if vote.anonymous else person_id)
    ballot.option, ballot.at = option, at
    session.add(ballot)
    session.flush()
    return before


def ballots(session: Session, vote: Vote) -> dict[str, str]:
    """voter key → option."""
    return {b.voter_key: b.option
            for b in session.exec(select(Ballot).where(Ballot.vote_id == vote.id))}


def roll(session: Session, vote: Vote) -> list[tuple[str, str]]:
    """(contact id, option) of a named vote; always empty for an anonymous one."""
    if vote.anonymous:
        return []
    rows = session.exec(select(Ballot).where(Ballot.vote_id == vote.id)
                        .order_by(Ballot.option, Ballot.at))
    return [(b.voter_id, b.option) for b in rows if b.voter_id]


def turnout(session: Session, vote: Vote) -> tuple[int, int]:
    """(ballots cast, eligible) — for a Civil Code vote, by head."""
    cast_count = session.exec(select(func.count()).select_from(Ballot)
                              .where(Ballot.vote_id == vote.id)).one()
    return cast_count, eligible_count(session, vote)


def ack_states(session: Session, room_id: str) -> list[tuple[Vote, VoteAck]]:
    """The acknowledgement state of every open vote of a room."""
    return [(v, ack_state(session, v)) for v in open_votes(session, room_id)]


def last_ack_in_room(session: Session, room_id: str) -> datetime | None:
    """When the room last heard a ballot acknowledgement (any of its votes)."""
    return session.exec(select(func.max(VoteAck.last_at)).join(Vote, Vote.id == VoteAck.vote_id)
                        .where(Vote.room_id == room_id)).one()


def ack_state(session: Session, vote: Vote) -> VoteAck:
    state = session.get(VoteAck, vote.id)
    if state is None:
        state = VoteAck(vote_id=vote.id)
        session.add(state)
    return state


# -- the households registry (Civil Code electorate) -----------------------------------------

def load_households(path: Path) -> list[tuple[str, str, str]]:
    """(unit, contact_id, area_m2) rows of the registry CSV; raises ValueError naming the row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"读不到业主名册 {path.name}：{exc.strerror}") from None
    reader = csv.DictReader(text.splitlines())
    need = {"unit", "contact_id", "area_m2"}
    if not reader.fieldnames or not need <= {f.strip() for f in reader.fieldnames}:
        raise ValueError(f"业主名册 {path.name} 需要表头 unit,contact_id,area_m2")
    rows = []
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row["unit"] or not row["contact_id"]:
            raise ValueError(f"业主名册 {path.name} 第{number}行缺少房号或联系人")
        rows.append((row["unit"], row["contact_id"], row["area_m2"]))
    return rows
