"""Load `config.yaml` into typed settings (SPEC §5).

A wrong file gets one readable error that names the key, the file and line, and
what was expected; never a traceback.
"""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

ROLES = ("resident", "building_lead", "grid_worker", "property", "admin")
STAFF_ROLES = ("grid_worker", "property", "admin")

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.I)
_UNIT = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: Any) -> timedelta:
    """`30m`, `2h`, `3d`, `1w` (or a number of minutes)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return timedelta(minutes=value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError("expected a duration such as 30m, 2h, 3d or 1w")
    return timedelta(**{_UNIT[m.group(2).lower()]: int(m.group(1))})


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
_HHMM = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Web(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)


class Community(_Strict):
    name: str = "江畔社区"


class Room(_Strict):
    id: str
    name: str
    scope: Literal["community", "building"]
    building: str | None = None

    @model_validator(mode="after")
    def _building_rooms_name_a_building(self) -> "Room":
        if self.scope == "building" and not self.building:
            raise ValueError("a room with scope: building needs building: (e.g. 3号楼)")
        return self


class Staff(_Strict):
    id: str
    name: str
    role: Literal["building_lead", "grid_worker", "property", "admin"]
    buildings: list[str] = []
    department: str | None = None  # for property: the department name items are transferred to


class Resident(_Strict):
    """An invented resident for the local demo page; not needed in real WeChat."""

    id: str
    name: str
    room: str | None = None  # which group they sit in; None: every group


class Sla(_Strict):
    accept: Duration = timedelta(hours=2)
    urgent_accept: Duration = timedelta(minutes=15)
    simple: Duration = timedelta(hours=24)
    cross_department: Duration = timedelta(hours=72)
    complex: Duration = timedelta(hours=168)


class Cases(_Strict):
    sla: Sla = Sla()
    ladder: list[str] = ["社区", "职能部门", "街道"]
    rating_window: Duration = timedelta(hours=72)
    duplicate_window: Duration = timedelta(hours=72)
    # Non-urgent clocks run only in these hours on working days (chinese_calendar:
    # weekends, public holidays and the make-up working days 调休). handlers/worktime.py
    working_hours: str = "08:30-17:30"

    @field_validator("working_hours")
    @classmethod
    def _hours_span(cls, v: str) -> str:
        start, sep, end = v.partition("-")
        if not sep or not _HHMM.match(start.strip()) or not _HHMM.match(end.strip()) \
                or start.strip().zfill(5) >= end.strip().zfill(5):
            raise ValueError('expected opening hours such as "08:30-17:30"')
        return v

    @field_validator("ladder")
    @classmethod
    def _ladder_not_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("the ladder needs at least one level, e.g. [社区, 职能部门, 街道]")
        return v


class Proposals(_Strict):
    support_threshold: int = Field(5, ge=1)
    objection_window: Duration = timedelta(days=3)


class CouncilDay(_Strict):
    day: int = Field(25, ge=1, le=28)
    at: str = "09:00"

    @field_validator("at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError('expected a time of day such as "09:00"')
        return v


class Schedule(_Strict):
    digest: str = "mon 09:00"
    council_day: CouncilDay = CouncilDay()

    @field_validator("digest")
    @classmethod
    def _weekday_time(cls, v: str) -> str:
        parts = v.lower().split()
        if len(parts) != 2 or parts[0] not in _WEEKDAYS or not _HHMM.match(parts[1]):
            raise ValueError('expected a weekday and a time such as "mon 09:00"')
        return v.lower()


class Limits(_Strict):
    """Anti-flood: WeChat bans accounts that burst."""

    room_per_minute: int = Field(6, ge=1)
    account_per_minute: int = Field(20, ge=1)


class Classifier(_Strict):
    min_confidence: float = Field(0.6, ge=0, le=1)


class Settings(_Strict):
    timezone: str = "Asia/Shanghai"
    database: str = "sqlite:///linli.db"
    transport: Literal["local", "wechaty"] = "local"
    web: Web = Web()
    community: Community = Community()
    rooms: list[Room]
    staff: list[Staff] = []
    residents: list[Resident] = []
    households: str | None = None
    cases: Cases = Cases()
    proposals: Proposals = Proposals()
    schedule: Schedule = Schedule()
    limits: Limits = Limits()
    classifier: Classifier = Classifier()
    source: Path | None = Field(None, exclude=True)  # the file it came from

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Shanghai") from None
        return v

    @model_validator(mode="after")
    def _unique_ids(self) -> "Settings":
        for what, ids in (("rooms", [r.id for r in self.rooms]), ("staff", [s.id for s in self.staff])):
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"{what}: the id {sorted(dup)[0]} is listed twice")
        return self

    # Lookups the handlers need often.
    def room(self, room_id: str | None) -> Room | None:
        return next((r for r in self.rooms if r.id == room_id), None)

    def staff_member(self, contact_id: str) -> Staff | None:
        return next((s for s in self.staff if s.id == contact_id), None)


class ConfigError(Exception):
    """A configuration problem, already phrased for the person who wrote the file."""


def load_settings(path: str | os.PathLike | None = None, *, env: dict[str, str] | None = None) -> Settings:
    """Read the YAML file (or `LINLI_CONFIG`), apply `LINLI_DATABASE`, validate."""
    env = os.environ if env is None else env
    path = Path(path or env.get("LINLI_CONFIG") or "config.yaml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (set --config or LINLI_CONFIG)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (timezone:, rooms:, staff: …)")
    if env.get("LINLI_DATABASE"):
        data["database"] = env["LINLI_DATABASE"]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, root)) from None
    return settings.model_copy(update={"source": path})


def _explain(exc: ValidationError, path: Path, root: yaml.Node | None) -> str:
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(root, loc)
        where = f"{path}:{line}" if line else str(path)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "this key is required"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling against SPEC §5)"
        elif err["type"] == "literal_error":
            msg = f"expected one of {err['ctx']['expected']}"
        lines.append(f"{where}: {key}: {msg}")
    return "config error:\n  " + "\n  ".join(lines)


def _line_of(node: yaml.Node | None, loc: list) -> int | None:
    """The 1-based line of the deepest YAML node along `loc` that exists."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        best = node.start_mark.line + 1
    return best
