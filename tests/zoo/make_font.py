"""Regenerate the zoo's two font subsets from Debian's fonts (run after changing the zoo's text).

    apt-get install fonts-droid-fallback fonts-dejavu-core
    .venv/bin/python -m tests.zoo.make_font

Writes three subsets, each cut to exactly the characters the layouts of ``tests/zoo/layouts.yaml``
draw (plus printable ASCII and common Chinese punctuation), the way plans set 宋体 beside Times New Roman:

- ``fonts/ZooLatin.ttf``: DejaVu Serif (Bitstream Vera licence): digits, Latin, symbols;
- ``fonts/ZooSymbols.ttf``: DejaVu Sans (the same licence): the symbols DejaVu Serif lacks (① ②);
- ``fonts/ZooCJK.ttf``: Droid Sans Fallback (Apache-2.0): Chinese and full-width punctuation.

A character is drawn in the first of these that has it (``draw.font_path_for``);
``tests/test_layout_zoo.py`` checks that every character the zoo draws is in one of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
CJK_SOURCE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
LATIN_SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
SYMBOL_SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_FONT = FONTS / "ZooCJK.ttf"
LATIN_FONT = FONTS / "ZooLatin.ttf"
SYMBOL_FONT = FONTS / "ZooSymbols.ttf"
# the order in which a character's font is chosen
FONT_ORDER = (LATIN_FONT, SYMBOL_FONT, CJK_FONT)
# always in the subsets, whatever the layouts say: printable ASCII and the punctuation plans use
BASE_CHARACTERS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "，。、；：？！“”‘’（）【】《》〔〕［］—…·－～％＋＝＜＞／　"
    + "０１２３４５６７８９≥≤±×μ²³℃‰①②③④⑤⑥⑦⑧⑨⑩ⅠⅡⅢⅣⅤ"
)


def latin_side(ch: str) -> bool:
    """Whether ``ch`` is set in the Latin font (below the CJK blocks, not full-width)."""
    code = ord(ch)
    return code < 0x2E80 and not 0x3000 <= code <= 0x303F


def zoo_characters() -> set[str]:
    """Every character some zoo layout draws, and the base set."""
    from tests.zoo import catalog

    text = "".join(s for vid in catalog.variant_ids() for s in catalog.drawn_strings(vid))
    return {ch for ch in text + BASE_CHARACTERS if ch.isprintable() or ch == "\u3000"}


def subset(source: Path, dest: Path, characters: set[str]) -> None:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), recalcTimestamp=False)  # the same bytes on every run
    cmap = font.getBestCmap()
    wanted = sorted(ord(ch) for ch in characters if ord(ch) in cmap)
    options = ft_subset.Options()
    options.layout_features = []  # no shaping tables: reportlab sets glyphs one by one
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    sub = ft_subset.Subsetter(options)
    sub.populate(unicodes=wanted)
    sub.subset(font)
    font.save(str(dest))


def main() -> int:
    from fontTools.ttLib import TTFont

    for src in (CJK_SOURCE, LATIN_SOURCE, SYMBOL_SOURCE):
        if not src.exists():
            print(f"missing {src}: apt-get install fonts-droid-fallback fonts-dejavu-core", file=sys.stderr)
            return 1
    chars = zoo_characters()
    FONTS.mkdir(exist_ok=True)
    # Latin-side characters go to DejaVu Serif, those it lacks to DejaVu Sans, the rest (and what
    # both lack) to Droid
    left = {ch for ch in chars if latin_side(ch)}
    for source, dest in ((LATIN_SOURCE, LATIN_FONT), (SYMBOL_SOURCE, SYMBOL_FONT)):
        subset(source, dest, left)
        left -= {chr(c) for c in TTFont(str(dest)).getBestCmap()}
    subset(CJK_SOURCE, CJK_FONT, left | {ch for ch in chars if not latin_side(ch)})
    for path in FONT_ORDER:
        print(f"{path.relative_to(HERE.parent.parent)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
