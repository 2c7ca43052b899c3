"""The project's jieba tokenizer reads jieba's dictionary by first character; it must cut and tag
exactly as a tokenizer that loaded the whole dictionary (``extract/text/tokenizer.py``)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest

from extract.patterns import load_patterns
from extract.prose.lexicon import ProseLexicon
from extract.text import tokenizer as T

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pair():
    """(whole-dictionary tokenizer and tagger, the project's), both knowing the project's words."""
    import jieba

    words = ProseLexicon(load_patterns())._user_words
    jieba.setLogLevel(logging.WARNING)
    whole = jieba.Tokenizer()
    whole.tmp_dir = tempfile.gettempdir()
    whole.cache_file = os.path.join(whole.tmp_dir, T.CACHE_NAME)
    whole.initialize()
    for word, freq, *tag in words:
        whole.add_word(word, freq=freq, tag=tag[0] if tag else None)
    posseg = T._posseg()
    return (whole, posseg.POSTokenizer(whole)), (T.project_tokenizer(words), T.pos_tokenizer(words))


def _lines() -> list[str]:
    lines = []
    for f in sorted((ROOT / "corpus").glob("*.txt")):
        lines += [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()][::4]
    return lines + ["森林覆盖率达到46%", "PM2.5浓度下降10%", "Ａ级景区", "…………", ""]


def test_words_and_tags_are_those_of_the_whole_dictionary(pair):
    (whole, whole_pos), (ours, ours_pos) = pair
    for line in _lines():
        for hmm in (True, False):
            assert list(ours.cut(line, HMM=hmm)) == list(whole.cut(line, HMM=hmm)), line
            assert [tuple(p) for p in ours_pos.cut(line, HMM=hmm)] == [tuple(p) for p in whole_pos.cut(line, HMM=hmm)]
        assert list(ours.cut(line, cut_all=True)) == list(whole.cut(line, cut_all=True)), line
    assert ours.total == whole.total


def test_jieba_posseg_of_other_users_still_tags_from_the_whole_dictionary(pair):
    import jieba.posseg

    assert [tuple(p) for p in jieba.posseg.cut("我爱北京天安门")] == [
        ("我", "r"),
        ("爱", "v"),
        ("北京", "ns"),
        ("天安门", "ns"),
    ]


def test_a_damaged_dictionary_cache_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    T._dictionary.cache_clear()
    try:
        first = T._dictionary()
        path = next((tmp_path / "plan-extract").glob("*.buckets"))
        data = bytearray(path.read_bytes())
        data[-10] ^= 0xFF
        path.write_bytes(bytes(data))
        T._dictionary.cache_clear()
        again = T._dictionary()
        assert again.total == first.total and again.bucket("森") == first.bucket("森")
    finally:
        T._dictionary.cache_clear()
