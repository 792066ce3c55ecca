"""Counting a vote: pure functions, exact arithmetic (never a float comparison).

Rules (SPEC §3, issue 6):
- 过半:     同意 > ½ of the ballots cast (abstentions are cast ballots).
- 三分之二: 同意 ≥ ⅔ of the ballots cast.
- Civil Code art. 278 (owners' decisions): first a quorum — the owners taking part hold
  ≥ ⅔ of the total exclusive area AND are ≥ ⅔ of all owners by head; then
  双过半 (ordinary matters): 同意 by owners holding > ½ of the participating area AND
  > ½ of the participating owners; 双四分之三 (maintenance funds, rebuilding, change of
  use of common parts): ≥ ¾ of each. One owner with several units counts once by head;
  their area is summed.
- A poll whose options are not 同意/反对/… (A/B/C) reports a plurality; a tie says so.

Every comparison is integer cross-multiplication on ints or `Fraction`s: a count is right
to the last household, and 2/3 of 120 is 80, not 79.99999.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

AGREE = "同意"
DEFAULT_OPTIONS = ("同意", "反对", "弃权")
MAJORITY, TWO_THIRDS, DOUBLE_MAJORITY, DOUBLE_THREE_QUARTERS = "过半", "三分之二", "双过半", "双四分之三"
RULES = (MAJORITY, TWO_THIRDS, DOUBLE_MAJORITY, DOUBLE_THREE_QUARTERS)
CIVIL_RULES = (DOUBLE_MAJORITY, DOUBLE_THREE_QUARTERS)
RULE_TEXT = {
    MAJORITY: "同意超过投票数的一半",
    TWO_THIRDS: "同意达到投票数的三分之二",
    DOUBLE_MAJORITY: "民法典第278条：参与业主人数和面积均达三分之二，同意的人数和面积均过半",
    DOUBLE_THREE_QUARTERS: "民法典第278条：参与业主人数和面积均达三分之二，同意的人数和面积均达四分之三",
}


# -- the rules themselves ----------------------------------------------------------------

def majority(agree: int | Fraction, cast: int | Fraction) -> bool:
    """agree > ½·cast (none cast: not passed)."""
    return 2 * agree > cast


def two_thirds(agree: int | Fraction, cast: int | Fraction) -> bool:
    """agree ≥ ⅔·cast, and something was cast."""
    return cast > 0 and 3 * agree >= 2 * cast


def three_quarters(agree: int | Fraction, cast: int | Fraction) -> bool:
    return cast > 0 and 4 * agree >= 3 * cast


def quorum(heads: int, all_heads: int, area: Fraction, all_area: Fraction) -> bool:
    """Civil Code art. 278 ¶2: ≥ ⅔ of the owners by head AND of the exclusive area take part."""
    return two_thirds(heads, all_heads) and two_thirds(area, all_area)


def owners_from_units(rows: Iterable[tuple[str, str, Fraction]]) -> dict[str, Fraction]:
    """(unit, contact_id, area) rows → area per owner: one owner of several units counts once."""
    owners: dict[str, Fraction] = {}
    seen_units: set[str] = set()
    for unit, contact, area in rows:
        if unit in seen_units:
            raise ValueError(f"房号 {unit} 出现了两次")
        seen_units.add(unit)
        owners[contact] = owners.get(contact, Fraction(0)) + Fraction(area)
    return owners


def parse_area(text: str) -> Fraction:
    """`85.5` → Fraction(171, 2), exactly (a float would not be)."""
    try:
        value = Fraction(Decimal(text.strip()))
    except (InvalidOperation, ValueError):
        raise ValueError(f"面积“{text}”不是数字") from None
    if value <= 0:
        raise ValueError(f"面积“{text}”应大于0")
    return value


# -- a whole count -------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    tally: dict[str, int]  # ballots per option, by head, in the vote's option order
    voters: int
    eligible: int
    passed: bool
    reason: str  # one line with the figures that decided it
    winner: str | None = None  # polls: the plurality option (None: a tie or no ballots)
    figures: dict = field(default_factory=dict)  # Civil Code: heads and areas, as text

    def public(self) -> dict:
        return {"tally": self.tally, "voters": self.voters, "eligible": self.eligible,
                "passed": self.passed, "winner": self.winner, "reason": self.reason,
                **({"figures": self.figures} if self.figures else {})}


def is_decision(options: Iterable[str]) -> bool:
    """A yes/no decision (the rules apply) rather than a poll between choices."""
    return AGREE in options


def count(options: Iterable[str], ballots: Mapping[str, str]) -> dict[str, int]:
    options = list(options)
    tally = {opt: 0 for opt in options}
    for option in ballots.values():
        tally[option] = tally.get(option, 0) + 1
    return tally


def plurality(tally: Mapping[str, int]) -> list[str]:
    """The options with the most ballots (several: a tie; none when nobody voted)."""
    top = max(tally.values(), default=0)
    return [opt for opt, n in tally.items() if n == top] if top else []


def decide(rule: str, options: Iterable[str], ballots: Mapping[str, str], *,
           eligible: int = 0, electorate: Mapping[str, Fraction] | None = None) -> Outcome:
    """Count `ballots` (voter key → option) under `rule`.

    `eligible`: the electorate's size for 过半/三分之二 (room members). `electorate`:
    owner key → exclusive area, for the Civil Code rules.
    """
    options = list(options)
    if rule in CIVIL_RULES:
        return _civil(rule, options, ballots, electorate or {})
    tally = count(options, ballots)
    cast = sum(tally.values())
    if not is_decision(options):
        return _poll(tally, cast, eligible)
    agree = tally.get(AGREE, 0)
    if rule == TWO_THIRDS:
        passed = two_thirds(agree, cast)
        met = "达到三分之二" if passed else "未达三分之二"
    else:
        passed = majority(agree, cast)
        met = "超过半数" if passed else "未过半数"
    reason = f"同意 {agree}/{cast} 票，{met}（投票 {cast}/{eligible} 人）→ {'通过' if passed else '未通过'}"
    return Outcome(tally, cast, eligible, passed, reason)


def _poll(tally: dict[str, int], cast: int, eligible: int) -> Outcome:
    top = plurality(tally)
    if len(top) == 1:
        winner = top[0]
        return Outcome(tally, cast, eligible, True,
                       f"“{winner}”得票最多（{tally[winner]}/{cast} 票，投票 {cast}/{eligible} 人）",
                       winner=winner)
    if not top:
        return Outcome(tally, cast, eligible, False, f"无人投票（0/{eligible} 人）")
    tied = "、".join(f"“{t}”" for t in top)
    return Outcome(tally, cast, eligible, False, f"{tied}并列最多（各 {tally[top[0]]} 票），未能决出")


def _civil(rule: str, options: list[str], ballots: Mapping[str, str],
           electorate: Mapping[str, Fraction]) -> Outcome:
    counted = {k: v for k, v in ballots.items() if k in electorate}  # owners only
    tally = count(options, counted)
    all_heads, all_area = len(electorate), sum(electorate.values(), Fraction(0))
    heads, area = len(counted), sum((electorate[k] for k in counted), Fraction(0))
    agree_keys = [k for k, v in counted.items() if v == AGREE]
    agree_heads, agree_area = len(agree_keys), sum((electorate[k] for k in agree_keys), Fraction(0))
    figures = {"owners": all_heads, "area": area_text(all_area), "participating_owners": heads,
               "participating_area": area_text(area), "agree_owners": agree_heads,
               "agree_area": area_text(agree_area)}
    turnout = (f"参与业主 {heads}/{all_heads} 人、面积 {area_text(area)}/{area_text(all_area)}㎡")
    if not quorum(heads, all_heads, area, all_area):
        short = [w for w, ok in (("人数", two_thirds(heads, all_heads)),
                                 ("面积", two_thirds(area, all_area))) if not ok]
        reason = f"{turnout}，{'和'.join(short)}不足三分之二，未达法定参与比例 → 未通过"
        return Outcome(tally, heads, all_heads, False, reason, figures=figures)
    test, words = (majority, "过半") if rule == DOUBLE_MAJORITY else (three_quarters, "达四分之三")
    by_head, by_area = test(agree_heads, heads), test(agree_area, area)
    passed = by_head and by_area
    judged = f"人数{'' if by_head else '未'}{words}，面积{'' if by_area else '未'}{words}"
    reason = (f"{turnout}，达到三分之二；同意 {agree_heads}/{heads} 人、"
              f"面积 {area_text(agree_area)}/{area_text(area)}㎡，{judged} → {'通过' if passed else '未通过'}")
    return Outcome(tally, heads, all_heads, passed, reason, figures=figures)


def area_text(area: Fraction) -> str:
    """For people to read (exact to 0.01 m², which is how registries write areas)."""
    text = f"{Decimal(area.numerator) / Decimal(area.denominator):.2f}"
    return text.rstrip("0").rstrip(".")
