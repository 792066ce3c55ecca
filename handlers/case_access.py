"""Who may do what to a complaint item, and who owns it at each level (SPEC §2).

- admin: everything, everywhere;
- grid_worker: items of their buildings, community-wide items, and items given to them;
- property: items transferred to their department or given to them (note, resolve);
- building_lead: see and note items of their buildings;
- resident: see and rate the items they reported.
"""
from __future__ import annotations

from sqlmodel import Session

from handlers.context import Context, Refusal
from storage import cases, people, status
from storage.buildings import in_buildings
from storage.models import Item, Person

HANDLERS = ("grid_worker", "admin")


def load(ctx: Context, number: int, *, kind: str | None = status.COMPLAINT) -> Item:
    """The item numbered `number`, or a refusal that says there is none."""
    item = ctx.session.get(Item, number)
    if item is None:
        raise Refusal(f"没有找到 #{number} 这件诉求，发 #案件 看看进行中的事项。")
    if kind is not None and item.kind != kind:
        what = "建议" if item.kind == status.PROPOSAL else "诉求"
        raise Refusal(f"#{number} 是{what}，这个命令只用于诉求。发 #案件 {number} 看看它的详情。")
    return item


def _assigned(person: Person, item: Item) -> bool:
    return item.assignee_id == person.id


def may_handle(person: Person, item: Item) -> bool:
    """Accept, assign, transfer, resolve, escalate, merge, reject."""
    if person.role == "admin" or _assigned(person, item):
        return True
    if person.role == "grid_worker":
        return item.building is None or in_buildings(item.building, person.buildings)
    return False


def may_resolve(person: Person, item: Item) -> bool:
    """Property may resolve what was transferred to them."""
    return may_handle(person, item) or (
        person.role == "property" and bool(item.department) and item.department == person.department)


def may_note(person: Person, item: Item) -> bool:
    if may_resolve(person, item):
        return True
    return person.role == "building_lead" and in_buildings(item.building, person.buildings)


def may_see(session: Session, person: Person, item: Item) -> bool:
    if may_note(person, item):
        return True
    return cases.is_reporter(session, item.id, person.id)


def require(ok: bool, item: Item, what: str) -> None:
    if not ok:
        raise Refusal(f"抱歉，#{item.id} 不归您{what}；请联系负责的网格员或管理员。")


def require_status(item: Item, target: str, verb: str) -> None:
    """Refuse a move the status table does not allow, naming the item's present state."""
    if not status.can_move(item.kind, item.status, target):
        raise Refusal(f"#{item.id} 现在是「{status.label(item.kind, item.status)}」，不能{verb}。")


def require_active(item: Item, verb: str) -> None:
    if item.status not in status.ACTIVE[item.kind]:
        raise Refusal(f"#{item.id} 现在是「{status.label(item.kind, item.status)}」，不能{verb}。")


def owner_at_level(session: Session, item: Item, ladder) -> Person | None:
    """Who follows the item up at its level: the building's grid worker at the bottom;
    above it the department's own staff if configured, else the community admin, who
    takes the item to the department or the street office."""
    at = cases.level_index(item.level, ladder)
    if at == 0:
        return people.responsible_for(session, item.building)
    if at == 1 and item.department:
        staff = cases.staff_of_department(session, item.department)
        if staff is not None:
            return staff
    return people.first_admin(session) or people.responsible_for(session, item.building)


def staff_named(session: Session, token: str) -> Person | None:
    """A staff member by contact id or by configured name (`毛宁`, `@毛宁`)."""
    token = token.strip().lstrip("@")
    person = session.get(Person, token)
    if person is None:
        person = next((p for role in ("grid_worker", "admin", "property")
                       for p in people.staff_with_role(session, role) if p.name == token), None)
    return person if person is not None and person.role != "resident" else None
