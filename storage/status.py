"""Item statuses and the moves between them (SPEC §4), declared once.

Every command asks `can_move`; no status string is typed anywhere else.
"""
from __future__ import annotations

COMPLAINT, PROPOSAL = "complaint", "proposal"

# status constants
OPEN, ACCEPTED, RESOLVED, CLOSED = "open", "accepted", "resolved", "closed"
REJECTED, MERGED = "rejected", "merged"
VOTING, PASSED, FAILED, DONE = "voting", "passed", "failed", "done"

MOVES: dict[str, dict[str, frozenset[str]]] = {
    COMPLAINT: {
        OPEN: frozenset({ACCEPTED, RESOLVED, REJECTED, MERGED}),
        ACCEPTED: frozenset({RESOLVED, REJECTED, MERGED}),
        RESOLVED: frozenset({CLOSED, ACCEPTED}),  # ACCEPTED: 不满意 reopens one level up
        CLOSED: frozenset(),
        REJECTED: frozenset(),
        MERGED: frozenset(),
    },
    PROPOSAL: {
        OPEN: frozenset({VOTING, REJECTED, MERGED}),
        VOTING: frozenset({PASSED, FAILED}),
        PASSED: frozenset({DONE}),
        FAILED: frozenset(),
        DONE: frozenset(),
        REJECTED: frozenset(),
        MERGED: frozenset(),
    },
}

# statuses in which an item still needs someone's work
ACTIVE = {COMPLAINT: frozenset({OPEN, ACCEPTED}), PROPOSAL: frozenset({OPEN, VOTING})}

LABELS = {
    OPEN: "待受理", ACCEPTED: "处理中", RESOLVED: "已办结待评价", CLOSED: "已关闭",
    REJECTED: "已驳回", MERGED: "已合并", VOTING: "表决中", PASSED: "已通过",
    FAILED: "未通过", DONE: "已落实",
}
PROPOSAL_LABELS = {OPEN: "征集附议"}


def can_move(kind: str, current: str, target: str) -> bool:
    return target in MOVES[kind].get(current, frozenset())


def label(kind: str, status: str) -> str:
    if kind == PROPOSAL and status in PROPOSAL_LABELS:
        return PROPOSAL_LABELS[status]
    return LABELS.get(status, status)


# The resolution clock's kind (SPEC §5 cases.sla): what one office fixes is 简易; what needs
# another department (utilities, traffic police, the elevator inspector) is 跨部门; an item
# that had to climb to the street is 复杂. Staff can still set it with #时限.
CROSS_DEPARTMENT = frozenset({"设施维修", "停车交通", "安全隐患", "公共服务"})


def default_kind(category: str | None) -> str:
    return "cross_department" if category in CROSS_DEPARTMENT else "simple"


def kind_at_level(index: int, current: str) -> str:
    """Climbing never shortens the clock: level 1 is at least 跨部门, level 2 and up 复杂."""
    order = ["simple", "cross_department", "complex"]
    wanted = order[min(index, 2)]
    return max(current, wanted, key=order.index) if current in order else wanted
