"""A target stated twice (a table row and a sentence, or two chapters) is counted once."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.restatements import link_restatements

WUCHANG = "004_ea1ad09170896d70"  # 五常市: indicator table and prose restating it
JILIN = "002_c17eb5853f4ec420"


@pytest.fixture(scope="module")
def rows(demo_output):
    return pq.read_table(demo_output / "commitments.parquet").to_pylist()


def _find(rows, doc, indicator_id, year, **kw):
    return [
        r
        for r in rows
        if r["doc_id"] == doc
        and r["indicator_id"] == indicator_id
        and r["year"] == year
        and all(r[k] == v for k, v in kw.items())
    ]


def test_a_table_row_and_the_sentence_restating_it(rows):
    table = _find(rows, WUCHANG, "eco.forest_coverage", 2025, source="table")
    prose = _find(rows, WUCHANG, "eco.forest_coverage", 2025, source="text")
    assert [r["value"] for r in table] == [46.43] and [r["value"] for r in prose] == [46.0]
    assert table[0]["is_primary"] and table[0]["restates"] is None
    assert not prose[0]["is_primary"] and prose[0]["restates"] == table[0]["commitment_id"]


def test_the_readme_pivot_counts_each_target_once(demo_output):
    c = pd.read_parquet(demo_output / "commitments.parquet")
    forest = c[c.is_primary & (c.indicator_id == "eco.forest_coverage")]
    pivot = forest.pivot_table(index="doc_id", columns="year", values="value")
    assert pivot.loc[WUCHANG, 2025] == 46.43  # not the mean of 46.43 and 46
    assert pivot.loc["001_6d0bac9ba866fd51", 2025] == 11


def test_the_same_target_in_two_chapters(rows):
    pm = _find(rows, JILIN, "air.pm25_concentration", 2027)
    assert len(pm) == 2 and len({r["chapter"] for r in pm}) == 2
    first, second = sorted(pm, key=lambda r: r["char_start"])
    assert first["is_primary"] and second["restates"] == first["commitment_id"]


def test_different_targets_stay_apart(rows):
    # two rows of one table (县级城市 and 农村 black-odorous water) share an id and a value: two targets,
    # neither restating the other; the plan-wide one is the cell's primary, the 农村 one is flagged
    same_table = _find(rows, WUCHANG, "water.black_odorous_elimination", 2025)
    assert len(same_table) == 2 and all(r["restates"] is None for r in same_table)
    primary = [r for r in same_table if r["is_primary"]]
    assert [r["indicator"] for r in primary] == ["县级城市建成区黑臭水体消除率"]
    other = next(r for r in same_table if not r["is_primary"])
    assert other["flags"] == ["restated_primary"] and primary[0]["commitment_id"] in other["flag_detail"]
    # the table says 73, the prose 70: two statements that disagree are not one target; the table
    # row is primary and both are flagged as a conflict naming the other
    grass = _find(rows, WUCHANG, "eco.grassland_vegetation_cover", 2025)
    assert len(grass) == 2 and all(r["restates"] is None and "conflict" in r["flags"] for r in grass)
    assert [r["source"] for r in grass if r["is_primary"]] == ["table"]


def test_links_are_consistent_on_the_whole_demo_output(rows):
    by_id = {r["commitment_id"]: r for r in rows}
    linked = [r for r in rows if not r["is_primary"]]
    assert len(linked) >= 10
    for r in rows:
        if r["restates"] is not None:
            assert not r["is_primary"]
        elif not r["is_primary"] and r["class"] != "qualitative":
            assert "restated_primary" in r["flags"]  # another target of its cell is the primary
    for r in [r for r in linked if r["restates"]]:
        p = by_id[r["restates"]]
        assert p["restates"] is None and p["doc_id"] == r["doc_id"] and p["year"] == r["year"]
        assert p["unit"] == r["unit"] and p["change"] == r["change"]
        assert (p["indicator_id"] or p["indicator"]) == (r["indicator_id"] or r["indicator"])
        assert not (p["table_id"] and p["table_id"] == r["table_id"])
        assert (p["source"], r["source"]) != ("text", "table")  # a table row is preferred


def _row(cid, value, source="text", table_id=None, start=0, **kw):
    base = {
        "commitment_id": cid,
        "doc_id": "d",
        "indicator": "森林覆盖率",
        "indicator_id": "eco.forest_coverage",
        "year": 2025,
        "value": value,
        "value_min": None,
        "value_max": None,
        "unit": "%",
        "change": "level",
        "cumulative": False,
        "class": "indicator",
        "source": source,
        "table_id": table_id,
        "char_start": start,
        "char_end": start + 10,
        "confidence": 0.8,
    }
    return {**base, **kw}


@pytest.mark.parametrize(
    "a,b,linked",
    [
        (46.43, 46, True),  # the same number written with less precision
        (45.8, 46, True),
        (46.43, 46.4, True),
        (46.43, 46.5, False),
        (73, 70, False),
        (11, 11, True),
        (1.4, 1, True),
    ],
)
def test_rounding_rule(a, b, linked):
    rows = [_row("t", a, "table", "d:t01", 0), _row("p", b, "text", None, 100)]
    link_restatements(rows)
    assert rows[0]["is_primary"]
    assert rows[1]["restates"] == ("t" if linked else None)


def test_two_sentences_must_word_the_indicator_alike():
    # one canonical id (drinking water sources) for 乡镇 sources and for groundwater sources
    rows = [
        _row("a", 85, start=0, indicator="乡镇集中式饮用水水源地达标率", indicator_id="water.drinking_source"),
        _row(
            "b", 85, start=50, indicator="集中式地下水饮用水水质达到或优于Ⅲ类比例", indicator_id="water.drinking_source"
        ),
        _row("c", 85, start=90, indicator="全市乡镇集中式饮用水水源地达标率", indicator_id="water.drinking_source"),
        _row("t", 85, "table", "d:t01", 200, indicator="饮用水水源地达标率", indicator_id="water.drinking_source"),
    ]
    link_restatements(rows)
    by = {r["commitment_id"]: r["restates"] for r in rows}
    assert by == {"t": None, "a": "t", "b": "t", "c": "t"}  # a table row states the id's target
    rows = rows[:3]
    link_restatements(rows)
    assert {r["commitment_id"]: r["restates"] for r in rows} == {"a": None, "b": None, "c": "a"}


def test_other_year_unit_or_change_is_another_target():
    rows = [
        _row("a", 46, start=0),
        _row("b", 46, start=50, year=2030),
        _row("c", 46, start=60, unit="万亩"),
        _row("d", 46, start=70, change="increase_by"),
        _row("e", 46, start=80, indicator_id=None),
        _row("f", 46, start=90, indicator_id=None, indicator="森林覆盖率"),
    ]
    link_restatements(rows)
    assert [r["is_primary"] for r in rows] == [True, True, True, True, True, False]
    assert rows[5]["restates"] == "e"


@pytest.mark.parametrize("value", [lambda i: 41 + i * 0.01, lambda i: 46.43], ids=["all different", "all the same"])
@pytest.mark.parametrize("tables", [1, 2000], ids=["one table", "2000 tables"])
def test_linking_is_linear_in_the_rows(monkeypatch, value, tables):
    """2,000 rows of one target: each row meets a bounded number of earlier rows, never all of them."""
    from extract import restatements

    rows = [
        {
            "doc_id": "d",
            "indicator_id": "eco.forest_coverage",
            "indicator": "森林覆盖率",
            "year": 2025,
            "unit": "%",
            "change": "level",
            "class": "indicator",
            "source": "table",
            "table_id": f"d:t{i % tables}",
            "value": round(value(i), 2),
            "confidence": 0.9,
            "char_start": i * 10,
            "char_end": i * 10 + 9,
            "commitment_id": f"c{i:05d}",
        }
        for i in range(2000)
    ]
    met = []  # pairs of rows compared, whichever test compares them
    for name in ("same_value", "_same_statement"):
        real = getattr(restatements, name)
        monkeypatch.setattr(restatements, name, lambda a, b, real=real: met.append(1) or real(a, b))
    link_restatements(rows)
    assert len(met) <= 2 * len(rows)
    if tables > 1 and value(0) == value(1):  # one target in 2,000 tables: one primary
        assert sum(r["is_primary"] for r in rows) == 1
