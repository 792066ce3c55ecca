"""Where news about an item goes: its group for everyone, privately for private reporters.

A resident who wrote to the bot privately is never named in a group (issue 5 §9);
phone numbers are masked in anything a group sees.
"""
from __future__ import annotations

from bot.events import Outgoing
from handlers.context import Context
from handlers.privacy import mask_phones
from storage import items, people
from storage.models import Item


def item_room(ctx: Context, item: Item) -> str | None:
    """The group an item belongs to: where it was raised, else its building's group."""
    if item.room_id:
        return item.room_id
    room = people.building_room(ctx.session, item.building)
    return room.id if room else None


def name_of(ctx: Context, person_id: str | None) -> str:
    if not person_id:
        return "—"
    person = people.get_person(ctx.session, person_id)
    return person.name if person else person_id


def announce(ctx: Context, item: Item, group_text: str, *, private_text: str | None = None,
             mention_reporters: bool = False, mentions: tuple[str, ...] = (),
             coalesce: str | None = None, ask: str = "") -> bool:
    """Post `group_text` in the item's group (@ its public reporters if asked) and send
    `private_text` (default: the same) to reporters who raised it privately. `ask` (a
    request to rate) goes to each reporter where they are: in the group only if one of
    them is there, never to a group where nobody can answer it.

    Returns True if the group post answers the chat the current message came from."""
    room = item_room(ctx, item)
    rows = items.reporters(ctx.session, item.id)
    members = set(people.room_members(ctx.session, room)) if room else set()
    # reporters who raised it privately, or in another group, hear of it privately
    public = [r.person_id for r in rows if not r.private and r.person_id in members]
    private = [r.person_id for r in rows if r.person_id not in public]
    if room is not None:
        ats = tuple(dict.fromkeys([*mentions, *(public if mention_reporters else [])]))
        ctx.outgoing.append(Outgoing(mask_phones(group_text + (ask if public else "")), room=room,
                                     mentions=ats, coalesce=coalesce))
    for person_id in dict.fromkeys(private):
        if ctx.event is not None and ctx.event.room is None and ctx.event.sender == person_id \
                and private_text is None:
            continue
        ctx.tell(person_id, (private_text or group_text) + ask)
    return ctx.event is not None and room is not None and ctx.event.room == room


def tell_owner(ctx: Context, person_id: str | None, text: str) -> None:
    """A private word to whoever must act now (not to the one who just acted)."""
    if person_id and not (ctx.sender is not None and ctx.sender.id == person_id):
        ctx.tell(person_id, text)
