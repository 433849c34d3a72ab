"""Normalisation that defeats common obfuscation, with a map back to the original text.

Abusers write "m4t4r", "k i l l", "p.u.t.a", "kiiiill", "vаgabunda" (with a Cyrillic а) to slip
past filters. `fold()` turns all of those into plain lower-case letters without accents, so
lexicons and patterns can be written once; `index[i]` gives the original position of folded
character i, so findings can still point at what the person actually wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

# Letters from other scripts that look like Latin ones (the usual homograph suspects).
_HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ı": "i", "ο": "o", "α": "a",
    "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
})
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
         "$": "s", "€": "e", "!": "i", "|": "l", "9": "g"}
_LEET_TOKEN = re.compile(r"[^\W_]*[0-9@$€!|][\w@$€!|]*")
# Cheap test for a leet character touching a letter ("m4t4r", "k!ll"); "@user" alone is not.
_LEET_NEAR_LETTER = re.compile(r"[^\W\d_][0-9@$€!|]|[0-9$€!|][^\W\d_]")
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][ .\-_*·]){2,}[^\W_](?![^\W_])")
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")

def _fold_char(c: str) -> str:
    decomposed = unicodedata.normalize("NFKD", c)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded.casefold().translate(_HOMOGLYPHS)


class _FoldTable(dict[int, str]):
    """A `str.translate` table filled on demand: translation runs at C speed and each
    distinct character is folded in Python only once."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 50_000:
            self[code] = folded
        return folded


_TABLE = _FoldTable()


@dataclass(frozen=True, slots=True)
class Folded:
    text: str
    index: Sequence[int]  # original position of each folded character

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of folded text[start:end]."""
        return self.index[start], self.index[end - 1] + 1


def _unleet(token: str) -> str:
    letters = sum(ch.isalpha() for ch in token)
    if letters < 2:
        return token  # "2024", "10" or "@x" stay as they are
    out = []
    for i, ch in enumerate(token):
        sub = _LEET.get(ch)
        if sub is not None and not (i == 0 and ch == "@"):  # "@maria" is a mention
            before = i > 0 and token[i - 1].isalpha()
            after = i + 1 < len(token) and token[i + 1].isalpha()
            # "!" and "|" only inside words ("k!ll"), never as trailing punctuation ("ok!").
            if (before and after) or ((before or after) and ch not in "!|"):
                out.append(sub)
                continue
        out.append(ch)
    return "".join(out)


def _drop(
    text: str, index: Sequence[int], matches: list[tuple[int, int, str]]
) -> tuple[str, Sequence[int]]:
    """Replace each (start, end) by `keep` characters taken from inside the range."""
    if not matches:
        return text, index
    out: list[str] = []
    new_index: list[int] = []
    pos = 0
    for start, end, keep_chars in matches:
        out.append(text[pos:start])
        new_index.extend(index[pos:start])
        cursor = start
        for ch in keep_chars:
            cursor = text.index(ch, cursor, end)
            out.append(ch)
            new_index.append(index[cursor])
            cursor += 1
        pos = end
    out.append(text[pos:])
    new_index.extend(index[pos:])
    return "".join(out), new_index


def fold(text: str) -> Folded:
    index: Sequence[int]
    if text.isascii():
        s = text.lower()
        index = range(len(text))
    else:
        s = text.translate(_TABLE)
        if len(s) == len(text):  # every character folded to one: positions are unchanged
            index = range(len(text))
        else:
            parts: list[str] = []
            positions: list[int] = []
            for i, c in enumerate(text):
                f = _TABLE[ord(c)]
                if f:
                    parts.append(f)
                    positions.extend([i] * len(f))
            s = "".join(parts)
            index = positions
    spaced = [(m.start(), m.end(), m.group()[::2]) for m in _SPACED.finditer(s)
              if sum(ch.isalpha() for ch in m.group()) >= 2]
    s, index = _drop(s, index, spaced)
    if _LEET_NEAR_LETTER.search(s):
        s = _LEET_TOKEN.sub(lambda m: _unleet(m.group()), s)  # 1:1, the index is unchanged
    repeats = [(m.start(), m.end(), m.group(1)) for m in _REPEAT.finditer(s)]
    s, index = _drop(s, index, repeats)
    return Folded(s, index)


def within_edits(a: str, b: str, limit: int) -> bool:
    """Whether a and b are at most `limit` edits apart: insertions, deletions, substitutions
    and swaps of neighbouring letters, each letter edited once (optimal string alignment, so
    'ca' -> 'abc' is 3, not 2). Shared by the watchlist's typo tolerance and the lookalike
    domains."""
    return a == b or OSA.distance(a, b, score_cutoff=limit) <= limit
