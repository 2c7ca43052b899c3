"""One private jieba tokenizer per process, with the project's words added.

jieba's prefix dictionary is built from its ``dict.txt`` once per machine and cached (marshal)
in the temporary folder; loading the cache takes ~0.7 s, building it ~4 s.  The tokenizer is
built once per process and set of words (:func:`project_tokenizer`), so every rule object and
every document of a worker shares it, and a worker loads it once, before its first document.
Never the global ``jieba.dt``: our words must not leak into other users of jieba.
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache

CACHE_NAME = "plan_extract_jieba.cache"


@lru_cache(maxsize=4)
def project_tokenizer(words: tuple[tuple, ...]):
    """A private ``jieba.Tokenizer`` knowing ``words``, one per process.

    Args:
        words: ``(word, frequency)`` or ``(word, frequency, part_of_speech)`` tuples: the words to
            add, the frequency that makes jieba keep them whole, and the tag ``jieba.posseg`` gives them.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.tmp_dir = tempfile.gettempdir()
    tok.cache_file = os.path.join(tok.tmp_dir, CACHE_NAME)
    tok.initialize()
    for word, freq, *tag in words:
        tok.add_word(word, freq=freq, tag=tag[0] if tag else None)
    return tok


@lru_cache(maxsize=4)
def pos_tokenizer(words: tuple[tuple, ...]):
    """A ``jieba.posseg`` tagger over :func:`project_tokenizer` (same words, same process cache)."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(project_tokenizer(words))
