"""One private jieba tokenizer per process, with the project's words added.

jieba's dictionary (350,000 words, their prefixes and parts of speech) takes ~1 s of CPU to
load whole, more than a small document takes to read.  So the tokenizer reads it by first
character, as the text needs it: the dictionary is kept (built once, in the user's cache folder,
keyed by jieba's version and dictionary file, checked by its hash) as one bucket per first character, and
before jieba looks at a text, the buckets of its characters are merged into the tokenizer's
ordinary dicts.  jieba's own code then runs unchanged on the same entries it would have
loaded whole: the words, frequencies and tags are identical (a word added with
:func:`project_tokenizer` is added after its bucket, as jieba adds words after its dictionary).

The tokenizer is built once per process and set of words (:func:`project_tokenizer`), so every
rule object and every document of a worker shares it.  Never the global ``jieba.dt``: our words
must not leak into other users of jieba.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import tempfile
from functools import lru_cache

CACHE_NAME = "plan_extract_jieba.cache"  # jieba's own cache of its dictionary (built once)
_FORMAT = 1  # of the bucketed dictionary file


@lru_cache(maxsize=4)
def project_tokenizer(words: tuple[tuple, ...]):
    """A private ``jieba.Tokenizer`` knowing ``words``, one per process.

    Args:
        words: ``(word, frequency)`` or ``(word, frequency, part_of_speech)`` tuples: the words to
            add, the frequency that makes jieba keep them whole, and the tag ``jieba.posseg`` gives them.
    """
    jieba = _jieba()
    jieba.setLogLevel(logging.WARNING)
    tok = _tokenizer_class()(_dictionary())
    for word, freq, *tag in words:
        tok.add_word(word, freq=freq, tag=tag[0] if tag else None)
    return tok


@lru_cache(maxsize=4)
def pos_tokenizer(words: tuple[tuple, ...]):
    """A ``jieba.posseg`` tagger over :func:`project_tokenizer` (same words, same process cache)."""
    posseg = _posseg()
    tok = project_tokenizer(words)
    tagger = _pos_class(posseg).__new__(_pos_class(posseg))
    tagger.tokenizer = tok
    tagger.word_tag_tab = tok.word_tags  # filled by the same buckets as the word frequencies
    return tagger


class _Dictionary:
    """jieba's dictionary in buckets by first character: ``(frequencies, tags)`` each, read on demand.

    The file: 8 bytes giving the header's length, the header (format, jieba's word total, the
    buckets' offsets and the SHA-256 of the body, marshalled), the body (one marshalled bucket
    each).  The body is checked against its hash when the file is opened.
    """

    def __init__(self, path: str):
        import hashlib
        import mmap

        with open(path, "rb") as fh:
            self.data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        size = int.from_bytes(self.data[:8], "little")
        form, self.total, self.index, digest = marshal.loads(self.data[8 : 8 + size])
        if form != _FORMAT:
            raise ValueError(f"dictionary cache format {form}")
        self.base = 8 + size
        if hashlib.sha256(memoryview(self.data)[self.base :]).hexdigest() != digest:
            raise ValueError("dictionary cache damaged")

    def bucket(self, ch: str) -> tuple[dict, dict] | None:
        at = self.index.get(ch)
        if at is None:
            return None
        return marshal.loads(self.data[self.base + at[0] : self.base + at[0] + at[1]])


@lru_cache(maxsize=1)
def _dictionary() -> _Dictionary:
    """The bucketed dictionary of this machine's jieba, built into the cache folder when missing."""
    jieba = _jieba()

    source = os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    st = os.stat(source)
    name = f"jieba_{jieba.__version__}_{st.st_size}_{st.st_mtime_ns}_{_FORMAT}.buckets"
    path = os.path.join(cache_dir(), name)
    try:
        return _Dictionary(path)
    except (OSError, ValueError, EOFError, TypeError):  # none yet, another version, damaged
        _build(path)
        return _Dictionary(path)


def cache_dir() -> str:
    """This user's cache folder for plan-extract (``$XDG_CACHE_HOME/plan-extract``, else
    ``~/.cache/plan-extract``), or the temporary folder when it cannot be made."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "plan-extract")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return tempfile.gettempdir()


def _build(path: str) -> None:
    """Write jieba's dictionary, as jieba loads it, in buckets by first character (temp file + rename)."""
    import jieba

    tok = jieba.Tokenizer()
    tok.tmp_dir = tempfile.gettempdir()
    tok.cache_file = os.path.join(tok.tmp_dir, CACHE_NAME)
    tok.initialize()
    tags = _dictionary_tags(tok)
    buckets: dict[str, tuple[dict, dict]] = {}
    for word, freq in tok.FREQ.items():
        buckets.setdefault(word[0], ({}, {}))[0][word] = freq
    for word, tag in tags.items():
        buckets.setdefault(word[0], ({}, {}))[1][word] = tag
    body, index = [], {}
    pos = 0
    for ch in sorted(buckets):
        blob = marshal.dumps(buckets[ch])
        index[ch] = (pos, len(blob))
        body.append(blob)
        pos += len(blob)
    import hashlib

    digest = hashlib.sha256()
    for blob in body:
        digest.update(blob)
    head = marshal.dumps((_FORMAT, tok.total, index, digest.hexdigest()))
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".plan_extract_jieba")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(len(head).to_bytes(8, "little"))
            fh.write(head)
            fh.writelines(body)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _dictionary_tags(tok) -> dict[str, str]:
    """The part-of-speech tags of jieba's dictionary, read by ``jieba.posseg``'s own loader."""
    posseg = _posseg()

    class _Tags:
        word_tag_tab: dict

    holder = _Tags()
    posseg.POSTokenizer.load_word_tag(holder, tok.get_dict_file())
    return holder.word_tag_tab


@lru_cache(maxsize=1)
def _tokenizer_class():
    jieba = _jieba()

    class BucketTokenizer(jieba.Tokenizer):
        """A ``jieba.Tokenizer`` whose dictionary entries come in by first character (:class:`_Dictionary`)."""

        def __init__(self, dictionary: _Dictionary):
            super().__init__()
            self.tmp_dir = tempfile.gettempdir()
            self.cache_file = os.path.join(self.tmp_dir, CACHE_NAME)
            self._buckets = dictionary
            self._loaded: set[str] = set()
            self.FREQ: dict[str, int] = {}
            self.total = dictionary.total
            self.word_tags: dict[str, str] = {}
            self.initialized = True

        def load_for(self, text: str) -> None:
            """Merge the buckets of ``text``'s characters (a word added since keeps its entries)."""
            for ch in set(text) - self._loaded:
                self._loaded.add(ch)
                found = self._buckets.bucket(ch)
                if found is None:
                    continue
                freq, tags = found
                _merge_under(self.FREQ, freq)
                _merge_under(self.word_tags, tags)

        def get_DAG(self, sentence):
            self.load_for(sentence)
            return super().get_DAG(sentence)

        def add_word(self, word, freq=None, tag=None):
            self.load_for(word)
            return super().add_word(word, freq, tag)

    return BucketTokenizer


def _merge_under(entries: dict, bucket: dict) -> None:
    """Add ``bucket``'s entries to ``entries``, an entry already there kept (the same dict as
    ``entries.setdefault`` for each entry of ``bucket`` in turn, in one ``update``)."""
    kept = {key: entries[key] for key in bucket.keys() & entries.keys()}
    entries.update(bucket)
    entries.update(kept)


@lru_cache(maxsize=1)
def _pos_class(posseg):
    class BucketPOSTokenizer(posseg.POSTokenizer):
        """``jieba.posseg.POSTokenizer`` over a :func:`_tokenizer_class` tokenizer (tags from the same buckets)."""

        def cut(self, sentence, HMM=True):
            self.tokenizer.load_for(sentence)
            return super().cut(sentence, HMM=HMM)

    return BucketPOSTokenizer


def _jieba():
    """``jieba``, imported without ``pkg_resources`` (~0.1 s) when that is not loaded yet.

    jieba uses ``pkg_resources`` only to open its own data files, and opens them by their path
    when it is missing (``jieba._compat.get_module_res``): the same files.
    """
    module = sys.modules.get("jieba")
    if module is not None:
        return module
    if "pkg_resources" in sys.modules:
        import jieba as module
    else:
        from ..unimportable import unimportable

        with unimportable("pkg_resources", "not needed by jieba"):
            import jieba as module
    return module


def _posseg():
    """``jieba.posseg``, imported without its module-level tagger reading the whole dictionary.

    Importing ``jieba.posseg`` builds a global tagger (``jieba.posseg.dt``) that parses jieba's
    dictionary for its tags (~0.4 s).  It is imported with jieba's default tokenizer pointing at
    an empty file, and the global tagger then reads its tags on first use: the same table, only
    later (for other users of ``jieba.posseg`` in the process).
    """
    module = sys.modules.get("jieba.posseg")
    if module is not None:
        return module
    jieba = _jieba()
    saved = jieba.dt.dictionary
    jieba.dt.dictionary = os.devnull
    try:
        import jieba.posseg as module
    finally:
        jieba.dt.dictionary = saved
    module.dt.word_tag_tab = _TagsOnFirstUse(module)
    return module


class _TagsOnFirstUse(dict):
    """``jieba.posseg.dt``'s tag table, read from jieba's dictionary on its first use."""

    def __init__(self, posseg):
        super().__init__()
        self._posseg = posseg
        self._ready = False

    def _load(self) -> None:
        if not self._ready:
            self._ready = True
            holder = type("_Tags", (), {})()
            self._posseg.POSTokenizer.load_word_tag(holder, self._posseg.dt.tokenizer.get_dict_file())
            dict.update(self, holder.word_tag_tab)

    def get(self, key, default=None):
        self._load()
        return dict.get(self, key, default)

    def __getitem__(self, key):
        self._load()
        return dict.__getitem__(self, key)

    def __contains__(self, key):
        self._load()
        return dict.__contains__(self, key)

    def update(self, *args, **kwargs):
        self._load()
        dict.update(self, *args, **kwargs)
