"""Cheap text helpers shared by the doxing detector's parts.

`plain()` lower-cases and strips accents with one `str.translate` (C speed) and keeps a 1:1
character mapping, so offsets in the plain text are offsets in the original. `skeleton()` is a
coarser key used only to pre-screen messages against the watchlist: letters only, leetspeak
digits read as letters, repeated letters squashed.
"""

from __future__ import annotations

import re
import unicodedata

_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ı": "i", "ο": "o", "α": "a",
    "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
}


def _build_plain_table() -> dict[int, str]:
    table: dict[int, str] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    for code in range(0xC0, 0x250):
        c = chr(code)
        decomposed = unicodedata.normalize("NFKD", c)
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        if len(base) == 1 and base != c:
            table[code] = base
    for k, v in _HOMOGLYPHS.items():
        table[ord(k)] = v
    table[ord("º")] = "o"
    table[ord("ª")] = "a"
    table[ord("°")] = "o"
    return table


_PLAIN = _build_plain_table()
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l"})
_NOT_LETTER = re.compile(r"[\W\d_]+")
_REPEATED = re.compile(r"(.)\1+")


def plain(text: str) -> str:
    """Lower case without accents, same length as `text` (character i is text[i] folded)."""
    return text.translate(_PLAIN)


def skeleton(text: str) -> str:
    """Letters only, leetspeak read as letters, runs of one letter squashed to one."""
    s = _NOT_LETTER.sub("", text.translate(_PLAIN).translate(_LEET))
    return _REPEATED.sub(r"\1", s)


def edit_budget(word: str) -> int:
    """Typos tolerated in a watchlist word: one per five letters, none in numbers."""
    return 0 if any(c.isdigit() for c in word) else len(word) // 5


def word_pattern(words: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """One expression matching any of `words` as whole words (longest first)."""
    alternatives = sorted({re.escape(w) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
