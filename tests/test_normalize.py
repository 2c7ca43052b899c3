"""The offset map is exact: every normalised sentence comes back from its source slice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.text.normalize import NormalizeOptions, latex_to_text, normalize
from extract.readers import read_document
from extract.text.segment import sentences

from .conftest import CORPUS


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("到 2027 年，比例达到 93.8 %", "到2027年，比例达到93.8%"),
        ("浓度控制在２７微克／立方米以下", "浓度控制在27微克/立方米以下"),
        ("≥46.43", ">=46.43"),
        ("(PM _{2.5} )浓度 31 $\\mu\\text{g}/\\text{m}^3$ ，", "(PM2.5)浓度31μg/m³，"),
        ("[bookmark: _Toc1][bookmark: _Toc2]（一）建设基础", "（一）建设基础"),
        ("**绿色转型成效显著。**国家", "绿色转型成效显著。国家"),
        ("地表水Ⅲ类水体比例，劣Ⅴ类", "地表水Ⅲ类水体比例，劣Ⅴ类"),  # not NFKC
        ("PM₁₀浓度", "PM10浓度"),
        # PDF text layers that write Chinese punctuation as ASCII, guillemets, letter spacing
        ("«甘肃省规划»已经省政府同意,现印发给你们.", "《甘肃省规划》已经省政府同意，现印发给你们."),
        ("甘 肃 省 人 民 政 府 办 公 厅", "甘肃省人民政府办公厅"),
        ("浓度不超过 30.7 微克 /立方米", "浓度不超过30.7微克/立方米"),
    ],
)
def test_normalize_examples(raw, expected):
    assert normalize(raw).text == expected


def test_hard_wraps_are_joined_but_headings_kept():
    raw = (
        "落实耕地保护任务，到 2035\n\n年，全省耕地保有量不低于 24993 万亩。\n\n二、加快推进绿色转型\n\n（一）实施战略。"
    )
    text = normalize(raw, NormalizeOptions(join_wraps=True)).text
    assert "到2035年，全省耕地保有量不低于24993万亩。" in text
    assert "\n\n二、加快推进绿色转型\n\n（一）" in text


def test_a_full_line_ending_in_a_quoted_name_runs_on():
    """“一港一策” at the margin closes a name, not the sentence; a short line or 。” ends it."""
    options = NormalizeOptions(join_wraps=True, min_wrap_line=12, full_line=20)
    raw = "二、加强港口污染防治\n2025年底前，主要港口全部落实“一港一策”\n的污染防治措施，垃圾收集处置率达100%。\n"
    assert "全部落实“一港一策”的污染防治措施，垃圾收集处置率达100%。" in normalize(raw, options).text
    quoted = "会议指出：要坚持“绿水青山就是金山银山。”\n到2025年，森林覆盖率达到46%。\n"
    assert "金山银山。”\n" in normalize(quoted, options).text
    short = "二、打好“蓝天保卫战”\n到2025年，空气质量优良天数比例达到90%。\n"
    assert "“蓝天保卫战”\n" in normalize(short, options).text


def test_ascii_full_stop_after_chinese_ends_a_sentence():
    text = "现印发给你们.请认真贯彻落实,到2025年达到3.5%."
    assert [text[a:b] for a, b in sentences(text)] == ["现印发给你们.", "请认真贯彻落实,到2025年达到3.5%."]


def test_latex_units():
    assert latex_to_text(r"\mu\text{g}/\text{m}^3") == "μg/m³"
    assert latex_to_text(r"\text{km}^{2}") == "km²"


def _check_offsets(source: str, options: NormalizeOptions) -> int:
    norm = normalize(source, options)
    n = 0
    for a, b in sentences(norm.text):
        sa, sb = norm.source_span(a, b)
        again = normalize(source[sa:sb], options).text.strip(" \t\u3000\n")
        assert again == norm.text[a:b], (source[sa:sb], norm.text[a:b])
        n += 1
    return n


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_offset_map_exact_on_the_corpus(path):
    doc = read_document(path, CORPUS)
    assert _check_offsets(doc.norm.source, doc.options) > 50
    # every normalised character maps inside the source and in order
    starts = doc.norm.starts
    assert all(0 <= s < len(doc.norm.source) for s in starts)
    assert all(x <= y for x, y in zip(starts, starts[1:]))


_PIECES = st.sampled_from(
    [
        "到",
        "2027",
        "年",
        "，",
        "。",
        "１２",
        "．",
        "５",
        "％",
        "%",
        " ",
        "\n",
        "\n\n",
        "森林覆盖率",
        "达到",
        "$\\mu\\text{g}/\\text{m}^3$",
        "PM _{2.5}",
        "[bookmark: _Toc1]",
        "**",
        "（一）",
        "二、",
        "以上",
        "Ⅲ类",
        "微克／立方米",
        "\t",
        "≥",
        "≤",
        "万亩",
        "；",
        "　　",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=40), st.booleans())
def test_offset_map_property(pieces, wraps):
    _check_offsets("".join(pieces), NormalizeOptions(join_wraps=wraps))


def test_the_quality_prefilter_skips_only_characters_that_are_never_unusual():
    """unusual_share looks for unusual characters only outside printable ASCII, CJK ideographs,
    CJK punctuation and full-width forms: none of those may be unusual."""
    import regex

    from extract.text.quality import _MAYBE_UNUSUAL_CLASS, _UNUSUAL

    skipped = regex.compile(_MAYBE_UNUSUAL_CLASS.replace("[^", "[", 1))
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    never = "".join(skipped.findall(chars))
    assert len(never) > 20_000  # the ideographs are among them
    assert _UNUSUAL.findall(never) == []
    assert _UNUSUAL.findall("\x00\x08\ufffd\ue000Ж가ア") == list("\x00\x08\ufffd\ue000Ж가ア")


def _reference_sub(text, starts, ends, pattern, repl):
    """Offset-keeping substitution, one list entry per character (what _Builder must equal)."""
    out, s_out, e_out, pos = [], [], [], 0
    for m in pattern.finditer(text):
        a, b = m.span()
        new = repl(m)
        if new is None:
            continue
        out.append(text[pos:a])
        s_out += starts[pos:a]
        e_out += ends[pos:a]
        if new:
            if a < b:
                sa, eb = starts[a], ends[b - 1]
            else:
                sa = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
                eb = sa
            out.append(new)
            s_out += [sa] * len(new)
            e_out += [eb] * len(new)
        pos = b
    out.append(text[pos:])
    s_out += starts[pos:]
    e_out += ends[pos:]
    return "".join(out), s_out, e_out


_STEPS = [  # (pattern, replacement): drop, widen, narrow, insert at a point, keep, replace with itself
    (r"x", lambda m: ""),
    (r"ab", lambda m: "ABC"),
    (r"c+", lambda m: "C"),
    (r"(?=d)", lambda m: "^"),
    (r"b", lambda m: None),
    (r"[ae]{2}", lambda m: m.group()),
    (r"$", lambda m: "!"),
    (r"\^d", lambda m: "D"),
]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdex ", max_size=40), st.lists(st.integers(0, len(_STEPS) - 1), max_size=6))
def test_the_builders_offsets_are_those_of_a_per_character_map(text, steps):
    import regex

    from extract.text.normalize import _Builder

    b = _Builder(text)
    ref = (text, list(range(len(text))), list(range(1, len(text) + 1)))
    for k in steps:
        pattern, repl = regex.compile(_STEPS[k][0]), _STEPS[k][1]
        b.sub(pattern, repl)
        ref = _reference_sub(*ref, pattern, repl)
        assert b.text == ref[0]
    starts, ends = b.offsets()
    assert (b.text, list(starts), list(ends)) == ref
