"""The digest chart is readable Chinese: the font has the glyphs and they are drawn."""
from __future__ import annotations

import io
import warnings

import numpy as np
from fontTools.ttLib import TTFont
from matplotlib.image import imread

from handlers import chart
from handlers.classify import CATEGORIES

TREND = [("2026-W43", 2, 1), ("2026-W44", 0, 0), ("2026-W45", 3, 2), ("2026-W46", 1, 3),
         ("2026-W47", 4, 1), ("2026-W48", 3, 2)]
LABELS = ["江畔社区 周报", "3号楼 周报", "近几周诉求", "本周分类", "本周无新增诉求", "新增", "办结",
          "11月23日—11月29日  新增 3  办结 2  超期 1  响应率 67%  解决率 67%  满意率 50%", *CATEGORIES]


def ink(png: bytes) -> np.ndarray:
    """Dark pixels of a rendered PNG, as a boolean mask."""
    pixels = imread(io.BytesIO(png))
    return pixels[..., :3].mean(axis=2) < 0.5


def test_the_shipped_font_has_every_character_the_chart_uses():
    cmap = TTFont(str(chart.font_path()), lazy=True).getBestCmap()
    missing = {ch for text in LABELS for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert missing == set()


def tofu(text: str) -> np.ndarray:
    """What `text` looks like without our font: matplotlib's last-resort box per character."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph … missing from font(s) DejaVu Sans": the point
        return ink(chart.render_text(text, family=["DejaVu Sans"]))


def test_chinese_is_drawn_as_glyphs_not_boxes():
    drawn = {text: ink(chart.render_text(text)) for text in ("周报", "电梯", "满意")}
    for text, mask in drawn.items():
        assert mask.sum() > 150, text  # real strokes, not an empty image
        assert not np.array_equal(mask, tofu(text)), text
    # different characters give different pictures: boxes would all look alike
    masks = list(drawn.values())
    assert not np.array_equal(masks[0], masks[1]) and not np.array_equal(masks[1], masks[2])
    assert np.array_equal(tofu("周报"), tofu("电梯"))  # (the check above can tell)


def test_week_chart_renders_without_missing_glyph_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart.render_week("江畔社区 周报", LABELS[7], TREND,
                                [("设施维修", 3), ("环境卫生", 2), ("噪音扰民", 1)])
        empty = chart.render_week("17号楼 周报", "11月23日—11月29日", TREND, [])
    assert not [w for w in caught if "missing from font" in str(w.message)]
    for image in (png, empty):
        assert image[:8] == b"\x89PNG\r\n\x1a\n"
        assert imread(io.BytesIO(image)).shape[:2] == (380, 800)
        assert ink(image).sum() > 2000  # title, axes, bars and labels are there
