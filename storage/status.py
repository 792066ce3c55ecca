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
