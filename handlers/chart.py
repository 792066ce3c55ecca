"""The digest chart: one PNG that a resident can read on a phone.

matplotlib with the Agg backend (no display) and its object API (no pyplot global
state). Chinese is set in Noto Sans SC, which the project installs from PyPI
(`pylopdf-fonts-zh-cn`, SIL OFL) and registers with matplotlib at first use, so
no host font is needed and no character shows as a box. matplotlib is imported
once, on the first chart, so processes that never draw one do not pay for it.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

CJK_FAMILY = "Noto Sans SC"
NEW_COLOUR, DONE_COLOUR, CATEGORY_COLOUR = "#e07b39", "#3a8f5c", "#4a78b5"


def font_path() -> Path:
    import pylopdf_fonts_zh_cn
    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def _matplotlib():
    """Import matplotlib once, headless, with the CJK font registered."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font_manager.fontManager.addfont(str(font_path()))
    rc = {"font.family": [CJK_FAMILY, "DejaVu Sans"], "axes.unicode_minus": False,
          "font.size": 11}
    return matplotlib, Figure, FigureCanvasAgg, rc


def render_week(title: str, subtitle: str, trend: Sequence[tuple[str, int, int]],
                categories: Sequence[tuple[str, int]]) -> bytes:
    """Left: new and resolved complaints over the last weeks; right: this week by category."""
    matplotlib, Figure, FigureCanvasAgg, rc = _matplotlib()
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(8, 3.8), dpi=100)
        FigureCanvasAgg(fig)
        fig.suptitle(title, fontsize=15)  # the font ships one weight
        fig.text(0.5, 0.855, subtitle, ha="center", fontsize=11, color="#555555")
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})

        labels = [week[-3:] for week, _, _ in trend]  # 2026-W47 → W47
        xs = range(len(trend))
        left.bar([x - 0.2 for x in xs], [n for _, n, _ in trend], 0.4, label="新增", color=NEW_COLOUR)
        left.bar([x + 0.2 for x in xs], [d for _, _, d in trend], 0.4, label="办结", color=DONE_COLOUR)
        left.set_xticks(list(xs), labels)
        left.set_title("近几周诉求", fontsize=12)
        left.legend(frameon=False, fontsize=10)
        _integer_axis(left.yaxis)

        if categories:
            names = [name for name, _ in categories][::-1]
            right.barh(names, [n for _, n in categories][::-1], color=CATEGORY_COLOUR)
            _integer_axis(right.xaxis)
        else:
            right.text(0.5, 0.5, "本周无新增诉求", ha="center", va="center", fontsize=12,
                       transform=right.transAxes)
            right.set_xticks([])
            right.set_yticks([])
        right.set_title("本周分类", fontsize=12)
        for ax in (left, right):
            ax.spines[["top", "right"]].set_visible(False)
        fig.subplots_adjust(left=0.06, right=0.97, top=0.72, bottom=0.1, wspace=0.35)
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()


def render_text(text: str, size: int = 32, family: list[str] | None = None) -> bytes:
    """A string alone as a PNG: lets a test compare our glyphs with the boxes (tofu)
    matplotlib draws in another `family` that lacks them."""
    matplotlib, Figure, FigureCanvasAgg, rc = _matplotlib()
    with matplotlib.rc_context({**rc, "font.family": family or rc["font.family"]}):
        fig = Figure(figsize=(0.6 * len(text) + 0.4, 0.8), dpi=100)
        FigureCanvasAgg(fig)
        fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=size)
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator
    axis.set_major_locator(MaxNLocator(integer=True))
