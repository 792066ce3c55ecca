"""Rooms and people: configured staff and rooms; room members as the transport lists them
(plus anyone seen speaking in a room); residents as they first speak or are listed."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from storage.buildings import in_buildings, same_building
from storage.models import Person, Room, RoomMember


def sync_config(session: Session, rooms: Iterable, staff: Iterable) -> None:
    """Make the tables match config.yaml: rooms and staff roles (config is the authority)."""
    for r in rooms:
        session.merge(Room(id=r.id, name=r.name, scope=r.scope, building=r.building))
    staff = list(staff)
    staff_ids = {s.id for s in staff}
    for s in staff:
        session.merge(Person(id=s.id, name=s.name, role=s.role, buildings=list(s.buildings),
                             department=s.department))
    # someone removed from the staff list in config is a resident again
    for p in session.exec(select(Person).where(Person.role != "resident")):
        if p.id not in staff_ids:
            p.role, p.buildings, p.department = "resident", [], None
            session.add(p)
    session.flush()


def ensure_person(session: Session, contact_id: str, name: str) -> Person:
    """The sender as a Person; a new resident is added, a changed nickname updated."""
    person = session.get(Person, contact_id)
    if person is None:
        person = Person(id=contact_id, name=name or contact_id)
        session.add(person)
    elif name and person.name != name and person.role == "resident":
        person.name = name  # staff names come from config, never from a nickname
        session.add(person)
    return person


def ensure_member(session: Session, room_id: str, person_id: str) -> None:
    if session.get(RoomMember, (room_id, person_id)) is None:
        session.add(RoomMember(room_id=room_id, person_id=person_id))


def sync_members(session: Session, room_id: str, members: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Make the room's members those the platform lists (WeChat's member list, or the local
    transport's configured members): add who is new, remove who left. Returns (added, removed).

    A new person gets the listed name; a known one keeps theirs (the group alias they were
    seen with is better than a WeChat name). A leaver's ballots are not touched: a ballot
    cast while a member stays counted (storage/votes.eligible_count keeps its voter in the
    denominator), but a leaver cannot cast or change one (README: Proposals and votes).
    """
    listed = dict(members)
    current = set(room_members(session, room_id))
    for person_id, name in listed.items():
        if session.get(Person, person_id) is None:
            session.add(Person(id=person_id, name=name or person_id))
        if person_id not in current:
            session.add(RoomMember(room_id=room_id, person_id=person_id))
    gone = current - listed.keys()
    for person_id in gone:
        session.delete(session.get(RoomMember, (room_id, person_id)))
    session.flush()
    return len(listed.keys() - current), len(gone)


def get_person(session: Session, contact_id: str) -> Person | None:
    return session.get(Person, contact_id)


def get_room(session: Session, room_id: str | None) -> Room | None:
    return session.get(Room, room_id) if room_id else None


def staff_with_role(session: Session, role: str) -> list[Person]:
    return list(session.exec(select(Person).where(Person.role == role).order_by(Person.id)))


def grid_worker_for(session: Session, building: str | None) -> Person | None:
    """The grid worker whose buildings include `building`."""
    if not building:
        return None
    for p in staff_with_role(session, "grid_worker"):
        if in_buildings(building, p.buildings):
            return p
    return None


def room_members(session: Session, room_id: str) -> list[str]:
    return list(session.exec(select(RoomMember.person_id).where(RoomMember.room_id == room_id)))


def building_room(session: Session, building: str | None) -> Room | None:
    """The building group of `building`, if it has one."""
    if not building:
        return None
    rooms = session.exec(select(Room).where(Room.scope == "building").order_by(Room.id))
    return next((r for r in rooms if same_building(r.building, building)), None)


def responsible_for(session: Session, building: str | None) -> Person | None:
    """Who follows up an item: the grid worker of its building (17栋 = 17号楼), else the admin."""
    return grid_worker_for(session, building) or first_admin(session)


def first_admin(session: Session) -> Person | None:
    admins = staff_with_role(session, "admin")
    return admins[0] if admins else None
