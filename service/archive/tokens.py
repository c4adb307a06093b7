"""The archive's full-text tokens: character bigrams of Chinese runs, ASCII runs, facets and
issuer tokens, and the MATCH expression a query becomes (nothing typed reaches MATCH)."""

from __future__ import annotations

import functools
import logging
import re

log = logging.getLogger(__name__)

MAX_QUERY_TERMS = 32  # a 10 kB query makes a long phrase, not a slow one

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")


def runs(text: str) -> list[str]:
    from model.text.segment import normalise

    return _RUN.findall(normalise(text).lower())


def _is_cjk(run: str) -> bool:
    return not run.isascii()


# At each Chinese character, it and the next one, or itself alone at the end of its run.
_GRAM = re.compile(rf"(?=([{_CJK}][{_CJK}]?))[{_CJK}]")
_ALNUM = re.compile(r"[0-9a-z]+")


def fts_tokens(text: str | None, mark: str = "") -> str:
    """An FTS column for `text`: each Chinese run's bigrams then its last character (which a
    one-character query finds as a prefix, with the bigrams it opens), then the alphanumeric
    runs. The last character keeps runs apart: "甲乙，乙丙" gives "甲乙 乙 乙丙 丙", with no
    "甲乙 乙丙" phrase for "甲乙丙" to match. `mark` starts every token, so that a column's
    tokens share no doclist with the text's."""
    from model.text.segment import normalise

    folded = normalise(text or "").lower()
    out = _GRAM.findall(folded) + _ALNUM.findall(folded)
    return " ".join(mark + token for token in out) if mark else " ".join(out)


ISSUER_MARK = "i"  # the issuer's tokens: "i硚口 i口区 i区"


def _facet(kind: str, value: object) -> str:
    """One index token for a filter value: its kind's letter and the value's UTF-8 in hex, so
    that any value is one alphanumeric token and equal only to itself."""
    return kind + str(value).encode().hex()


@functools.lru_cache(maxsize=4096)
def facets(label: str | None, year: int | None, level: str | None) -> str:
    """The `facets` column: a token each for the label, the year and the level that are known.
    Cached: an archive has a few hundred distinct combinations."""
    pairs = (("l", label), ("y", year), ("v", level))
    return " ".join(_facet(kind, value) for kind, value in pairs if value not in (None, ""))


def _phrases(query: str, mark: str = "") -> list[str]:
    phrases = []
    for run in runs(query)[:MAX_QUERY_TERMS]:
        if _is_cjk(run) and len(run) == 1:
            phrases.append(f'"{mark}{run}"*')
        elif _is_cjk(run):
            grams = [mark + run[i : i + 2] for i in range(min(len(run), MAX_QUERY_TERMS) - 1)]
            phrases.append('"' + " ".join(grams) + '"')
        else:
            phrases.append(f'"{mark}{run}"')
    return phrases


def match_expression(
    query: str,
    label: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    level: str | None = None,
) -> str | None:
    """A safe FTS5 MATCH string for what the user typed, in the paragraph's own tokens, and
    the filters; None when the query has nothing to find. An issuer without a letter or a
    character filters nothing."""
    words = _phrases(query)
    if not words:
        return None
    parts = ["{tokens} : (" + " ".join(words) + ")"]
    wanted = facets(label, year, level)
    if wanted:
        parts.append("{facets} : (" + " ".join(f'"{t}"' for t in wanted.split()) + ")")
    names = _phrases(issuer_norm(issuer) or "", ISSUER_MARK)
    if names:
        parts.append("{issuer_tokens} : (" + " ".join(names) + ")")
    return " AND ".join(parts)


def issuer_norm(issuer: str | None) -> str | None:
    """The issuer as the filters match it: width and case folded, spaces dropped, every part
    kept. Not `model.compare.normalise_issuer`, which drops brackets and 中共 to match one
    body across years: a filter for "汉南区" must still find "武汉经济技术开发区（汉南区）"."""
    from model.text.segment import normalise

    return "".join(normalise(issuer).split()).lower() if issuer else None
