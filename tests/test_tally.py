"""The tally rules against a brute-force reference (hypothesis), and their exact boundaries."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import tally
from handlers.tally import decide, owners_from_units, parse_area

OPTIONS = list(tally.DEFAULT_OPTIONS)


# -- a deliberately naive reference: ratios as Fractions, owners grouped by sorting -------

def ref_simple(rule: str, ballots: dict[str, str]) -> bool:
    cast = len(ballots)
    if cast == 0:
        return False
    share = Fraction(sum(1 for v in ballots.values() if v == "同意"), cast)
    return share > Fraction(1, 2) if rule == "过半" else share >= Fraction(2, 3)


def ref_civil(rule: str, units: list[tuple[str, str, Fraction]], ballots: dict[str, str]) -> bool:
    owners = sorted({c for _, c, _ in units})
    area_of = {o: sum((a for _, c, a in units if c == o), Fraction(0)) for o in owners}
    total_area = sum(area_of.values(), Fraction(0))
    part = [o for o in owners if o in ballots]
    part_area = sum((area_of[o] for o in part), Fraction(0))
    if not part or Fraction(len(part), len(owners)) < Fraction(2, 3) \
            or part_area / total_area < Fraction(2, 3):
        return False
    yes = [o for o in part if ballots[o] == "同意"]
    yes_area = sum((area_of[o] for o in yes), Fraction(0))
    head_share, area_share = Fraction(len(yes), len(part)), yes_area / part_area
    if rule == "双过半":
        return head_share > Fraction(1, 2) and area_share > Fraction(1, 2)
    return head_share >= Fraction(3, 4) and area_share >= Fraction(3, 4)


ballot_maps = st.dictionaries(st.text("abcdefghij", min_size=1, max_size=3),
                              st.sampled_from(OPTIONS), max_size=40)


@given(st.sampled_from(["过半", "三分之二"]), ballot_maps)
def test_simple_rules_match_reference(rule, ballots):
    out = decide(rule, OPTIONS, ballots, eligible=50)
    assert out.passed == ref_simple(rule, ballots)
    assert out.voters == len(ballots) and sum(out.tally.values()) == len(ballots)


areas = st.integers(min_value=1, max_value=20000).map(lambda n: Fraction(n, 100))  # 0.01 m²


@st.composite
def registries(draw):
    n_owners = draw(st.integers(1, 12))
    units = []
    for i in range(draw(st.integers(n_owners, 20))):
        owner = f"o{i % n_owners}" if i < n_owners else f"o{draw(st.integers(0, n_owners - 1))}"
        units.append((f"{i + 1}室", owner, draw(areas)))
    owners = sorted({c for _, c, _ in units})
    ballots = draw(st.dictionaries(st.sampled_from(owners + ["stranger"]), st.sampled_from(OPTIONS)))
    return units, ballots


@settings(max_examples=300)
@given(st.sampled_from(["双过半", "双四分之三"]), registries())
def test_civil_code_rules_match_reference(rule, case):
    units, ballots = case
    electorate = owners_from_units(units)
    out = decide(rule, OPTIONS, ballots, electorate=electorate)
    assert out.passed == ref_civil(rule, units, {k: v for k, v in ballots.items() if k != "stranger"})
    assert out.eligible == len({c for _, c, _ in units})  # by head: each owner once
    assert "stranger" not in ballots or out.voters == len(ballots) - 1


@given(st.dictionaries(st.text("xyz", min_size=1, max_size=2), st.sampled_from(["A", "B", "C"])))
def test_poll_reports_plurality_or_tie(ballots):
    out = decide("过半", ["A", "B", "C"], ballots, eligible=10)
    counts = {o: list(ballots.values()).count(o) for o in "ABC"}
    top = max(counts.values())
    leaders = [o for o in "ABC" if counts[o] == top]
    if top and len(leaders) == 1:
        assert out.winner == leaders[0] and out.passed
    else:
        assert out.winner is None and not out.passed
        if top:
            assert "并列" in out.reason


# -- exact boundaries -----------------------------------------------------------------------

def ballots(agree: int, other: int, abstain: int = 0) -> dict[str, str]:
    b = {f"y{i}": "同意" for i in range(agree)}
    b |= {f"n{i}": "反对" for i in range(other)}
    b |= {f"a{i}": "弃权" for i in range(abstain)}
    return b


@pytest.mark.parametrize("agree, against, abstain, passed", [
    (5, 5, 0, False),  # exactly half is not more than half
    (6, 5, 0, True),
    (5, 4, 1, False),  # abstentions are cast ballots: 5/10
    (1, 0, 0, True),
    (0, 0, 0, False),
])
def test_majority_boundary(agree, against, abstain, passed):
    assert decide("过半", OPTIONS, ballots(agree, against, abstain), eligible=20).passed is passed


@pytest.mark.parametrize("agree, against, passed", [
    (2, 1, True), (80, 40, True), (79, 41, False), (6, 3, True), (5, 3, False), (0, 0, False),
])
def test_two_thirds_boundary(agree, against, passed):
    assert decide("三分之二", OPTIONS, ballots(agree, against), eligible=200).passed is passed


def registry(n: int, area: int = 100) -> dict[str, Fraction]:
    return {f"o{i}": Fraction(area) for i in range(n)}


def test_quorum_exactly_two_thirds_by_head_and_area():
    electorate = registry(120)
    votes = {f"o{i}": "同意" for i in range(80)}  # 80/120 = ⅔ exactly
    assert decide("双过半", OPTIONS, votes, electorate=electorate).passed
    votes.pop("o79")
    out = decide("双过半", OPTIONS, votes, electorate=electorate)
    assert not out.passed and "人数和面积不足三分之二" in out.reason


def test_quorum_by_area_alone_can_fail():
    electorate = registry(9) | {"big": Fraction(2000)}  # 10 owners, 2900 m²
    votes = {f"o{i}": "同意" for i in range(9)}  # 9/10 heads, 900/2900 area
    out = decide("双过半", OPTIONS, votes, electorate=electorate)
    assert not out.passed and "面积不足三分之二" in out.reason and "人数和" not in out.reason


def test_double_majority_blocked_by_area():
    """Many small flats agree; two large owners disagree: heads pass, area does not."""
    electorate = {f"s{i}": Fraction(60) for i in range(8)} | {"L1": Fraction(300), "L2": Fraction(300)}
    votes = {f"s{i}": "同意" for i in range(8)} | {"L1": "反对", "L2": "反对"}
    out = decide("双过半", OPTIONS, votes, electorate=electorate)
    assert not out.passed
    assert "同意 8/10 人、面积 480/1080㎡" in out.reason and "人数过半，面积未过半" in out.reason


def test_three_quarters_boundary_exact_area():
    electorate = {"a": Fraction(75), "b": Fraction(25)}
    out = decide("双四分之三", OPTIONS, {"a": "同意", "b": "同意"}, electorate=electorate)
    assert out.passed
    electorate = {"a": Fraction("74.99"), "b": Fraction("25.01"), "c": Fraction(100),
                  "d": Fraction(100)}
    votes = {"a": "同意", "b": "反对", "c": "同意", "d": "同意"}  # 3/4 heads, 274.99/300 area
    assert decide("双四分之三", OPTIONS, votes, electorate=electorate).passed
    votes = {"a": "同意", "b": "同意", "c": "同意", "d": "反对"}  # area 200/300 < ¾
    assert not decide("双四分之三", OPTIONS, votes, electorate=electorate).passed


def test_one_owner_of_several_units_counts_once_with_summed_area():
    owners = owners_from_units([("1-101", "u-1", parse_area("89.5")),
                                ("1-102", "u-1", parse_area("60.25")),
                                ("1-201", "u-2", parse_area("90"))])
    assert owners == {"u-1": Fraction("149.75"), "u-2": Fraction(90)}
    with pytest.raises(ValueError):
        owners_from_units([("1-101", "u-1", Fraction(1)), ("1-101", "u-2", Fraction(1))])


def test_area_parsing_is_exact():
    assert parse_area("0.1") * 3 == Fraction(3, 10)
    for bad in ("", "abc", "-5", "0"):
        with pytest.raises(ValueError):
            parse_area(bad)


@given(st.integers(1, 60), st.sampled_from(["双过半", "双四分之三"]))
def test_quorum_boundary_for_any_size(m, rule):
    """3m equal owners: 2m taking part is exactly ⅔ (quorum met), 2m−1 is not."""
    electorate = registry(3 * m)
    exactly = {f"o{i}": "同意" for i in range(2 * m)}
    assert decide(rule, OPTIONS, exactly, electorate=electorate).passed
    short = dict(list(exactly.items())[:-1])
    assert not decide(rule, OPTIONS, short, electorate=electorate).passed


@given(st.integers(1, 50))
def test_majority_and_three_quarters_boundaries_for_any_size(m):
    """2m ballots: m 同意 is not a majority, m+1 is; 4m: 3m 同意 is ¾, 3m−1 is not."""
    assert not decide("过半", OPTIONS, ballots(m, m), eligible=4 * m).passed
    assert decide("过半", OPTIONS, ballots(m + 1, m - 1), eligible=4 * m).passed
    owners = registry(4 * m)
    votes = {f"o{i}": ("同意" if i < 3 * m else "反对") for i in range(4 * m)}
    assert decide("双四分之三", OPTIONS, votes, electorate=owners).passed
    votes[f"o{3 * m - 1}"] = "反对"
    assert not decide("双四分之三", OPTIONS, votes, electorate=owners).passed
