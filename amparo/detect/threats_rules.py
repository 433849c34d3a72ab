"""Loading and compiling the threat detector's declarative rules (resources/threats/*.yaml).

A rule file holds, for one language, lexicons (verbs with their conjugations, targets, family
terms …) and patterns written as regular-expression templates over *folded* text (see
`normalize.fold`): `{name}` stands for a lexicon, and letters in a template are folded here too,
so "você" or "سأقتلك" can be written as people write them. Each lexicon entry is folded and made
tolerant of the usual spelling drift: an apostrophe may be left out ("ill", "i'll", "i’ll"), a
hyphen may be a space or nothing, a doubled letter may be single ("kil" after "killll" folds),
and in Arabic a final ة/ه and ى/ي are interchangeable.

Besides the pattern regexes, each language has `triggers`: stems whose absence proves that no
pattern can match. They are checked on a cheap "squashed" form of the raw text (lower-cased,
accents, leetspeak and homoglyphs mapped, separators dropped, letter repeats allowed), which is a
superset of what `fold()` can reveal, so the prefilter never hides an obfuscated threat.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from amparo.detect.base import LABELS, Severity
from amparo.detect.normalize import fold

RESOURCES = Path(__file__).parent / "resources" / "threats"
LANGUAGE_NAMES = {"en": "English", "pt": "Portuguese", "es": "Spanish", "fr": "French",
                  "ar": "Arabic"}
DEFAULT_SEVERITY = {
    "threat.death": Severity.CRITICAL,
    "threat.sexual": Severity.CRITICAL,
    "threat.family": Severity.CRITICAL,
    "threat.violence": Severity.HIGH,
}
# Shorthands usable in every template.
BUILTINS = {
    "q": "['’`´]?",          # an optional apostrophe
    "w": r"(?:[^\W\d_]+\s+)?",        # one optional word
    "ww": r"(?:[^\W\d_]+\s+){0,2}",   # up to two optional words
}
_TEMPLATE_TOKEN = re.compile(
    r"\\.|\{[a-z_0-9]+\}|\(\?(?:P<\w+>|P=\w+\)|<[=!]|[:=!>])|[^\W\d_]+|.", re.S)
_ARABIC_FINAL = {"ة": "[ةه]", "ه": "[هة]", "ى": "[ىي]", "ي": "[يى]"}


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    language: str
    label: str
    severity: Severity
    score: float
    regex: re.Pattern[str]
    means: str               # "a first-person statement of intent to kill"
    escalate: bool           # a location cue that becomes CRITICAL next to violent words
    negatable: bool          # a negation just before or inside the match cancels it
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LanguageRules:
    code: str
    name: str
    triggers: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    negation: re.Pattern[str] | None
    reported: re.Pattern[str] | None      # a reporting frame before the threat
    condemnation: re.Pattern[str] | None  # counter-speech anywhere in the sentence
    benign: re.Pattern[str] | None        # games, sport: talk that is not about real harm
    idioms: re.Pattern[str] | None        # hyperbole that overlaps a match cancels it
    violent: re.Pattern[str] | None       # violent words that escalate location cues


# --- squashing (the prefilter's view of the raw text) -------------------------------------

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
         "$": "s", "€": "e", "!": "i", "|": "l", "9": "g"}
_HOMOGLYPHS = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
               "ј": "j", "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ı": "i",
               "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t",
               "υ": "u", "χ": "x"}
_SEPARATORS = " \t\r\n.,;:-_*·'’`´\"“”«»„()[]{}/\\#~+=<>^&%?ـ"


@cache
def _squash_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    ranges = [range(0xC0, 0x250), range(0x1E00, 0x1F00), range(0xFF21, 0xFF5B),
              range(0x0622, 0x0627), range(0x064B, 0x0653), range(0xFB00, 0xFB07)]
    for block in ranges:
        for cp in block:
            c = chr(cp)
            plain = "".join(ch for ch in unicodedata.normalize("NFKD", c)
                            if not unicodedata.combining(ch)).casefold()
            if plain != c:
                table[cp] = plain or None
    for src, dst in {**_LEET, **_HOMOGLYPHS, "ß": "ss"}.items():
        table[ord(src)] = dst
    for sep in _SEPARATORS:
        table[ord(sep)] = None
    return table


def squash(text: str) -> str:
    """Lower-case, de-accented, de-leeted text with every separator removed."""
    return text.lower().translate(_squash_table())


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def trigger_regex(triggers: list[str]) -> re.Pattern[str]:
    """One regex (a trie, each letter allowed to repeat) finding any trigger in squashed text."""
    trie: dict[str, Any] = {}
    for trigger in triggers:
        node = trie
        for ch in _collapse(squash(trigger)):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        if "" in node:
            return ""  # a shorter trigger already suffices
        # "cc*" rather than "c+": the regex engine then skips quickly to possible starts.
        alts = [re.escape(ch) * 2 + "*" + emit(child) for ch, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return re.compile(emit(trie))


# --- template compilation --------------------------------------------------------------

def _entry_regex(entry: str, language: str) -> str:
    folded = fold(entry).text
    out: list[str] = []
    i = 0
    while i < len(folded):
        ch = folded[i]
        nxt = folded[i + 1] if i + 1 < len(folded) else ""
        if ch == " ":
            out.append(r"\s+")
        elif ch in "'’":
            out.append(BUILTINS["q"] + r"\s*")
        elif ch == "-":
            out.append(r"[-\s]?")
        elif ch == nxt and ch.isalpha():
            out.append(re.escape(ch) + re.escape(ch) + "?")
            i += 1
        elif language == "ar" and ch in _ARABIC_FINAL and not (nxt.isalpha()):
            out.append(_ARABIC_FINAL[ch])
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _lexicon_regex(entries: list[str], language: str) -> str:
    unique = sorted({fold(e).text: e for e in entries}.values(),
                    key=lambda e: (-len(fold(e).text), e))
    return "(?:" + "|".join(_entry_regex(e, language) for e in unique) + ")"


def compile_template(template: str, lexicons: dict[str, str], where: str) -> re.Pattern[str]:
    out: list[str] = []
    for token in _TEMPLATE_TOKEN.findall(template):
        if token.startswith("{") and token.endswith("}") and len(token) > 2:
            name = token[1:-1]
            if name in lexicons:
                out.append(lexicons[name])
            elif name in BUILTINS:
                out.append(BUILTINS[name])
            elif name.replace(",", "").isdigit():
                out.append(token)
            else:
                raise RuleError(f"{where}: unknown lexicon {{{name}}}")
        elif token[0].isalpha():
            out.append(fold(token).text)
        else:
            out.append(token)
    try:
        return re.compile("".join(out))
    except re.error as exc:
        raise RuleError(f"{where}: bad regex: {exc}") from None


def _one_of(items: list[str], lexicons: dict[str, str], where: str) -> re.Pattern[str] | None:
    if not items:
        return None
    return compile_template("|".join(f"(?:{x})" for x in items), lexicons, where)


def load_language(path: Path) -> LanguageRules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    code = data["language"]
    where = path.name
    lexicons: dict[str, str] = {}
    for name, entries in (data.get("lexicons") or {}).items():
        if not entries:
            raise RuleError(f"{where}: lexicon {name} is empty")
        lexicons[name] = _lexicon_regex([str(e) for e in entries], code)
    patterns = []
    seen: set[str] = set()
    for raw in data.get("patterns") or []:
        pid = f"{code}.{raw['id']}"
        if pid in seen:
            raise RuleError(f"{where}: duplicate pattern id {pid}")
        seen.add(pid)
        label = raw["label"]
        if label not in LABELS or not label.startswith("threat."):
            raise RuleError(f"{where}: {pid}: label {label!r} is not a threat label")
        score = float(raw["score"])
        if not 0.0 < score <= 1.0:
            raise RuleError(f"{where}: {pid}: score {score} outside (0, 1]")
        severity = (Severity.parse(raw["severity"]) if "severity" in raw
                    else DEFAULT_SEVERITY[label])
        patterns.append(Pattern(
            id=pid, language=code, label=label, severity=severity, score=score,
            regex=compile_template(raw["regex"], lexicons, f"{where}: {pid}"),
            means=raw["means"], escalate=bool(raw.get("escalate", False)),
            negatable=bool(raw.get("negatable", True)),
            examples=tuple(raw.get("examples") or ()),
            counter_examples=tuple(raw.get("counter_examples") or ()),
        ))
    violent_words = data.get("violent_words") or []
    return LanguageRules(
        code=code, name=LANGUAGE_NAMES.get(code, code),
        triggers=tuple(str(t) for t in data["triggers"]),
        patterns=tuple(patterns),
        negation=_one_of(data.get("negation") or [], lexicons, f"{where}: negation"),
        reported=_one_of(data.get("reported") or [], lexicons, f"{where}: reported"),
        condemnation=_one_of(data.get("condemnation") or [], lexicons,
                             f"{where}: condemnation"),
        benign=_one_of(data.get("benign_context") or [], lexicons, f"{where}: benign_context"),
        idioms=_one_of(data.get("idioms") or [], lexicons, f"{where}: idioms"),
        violent=(re.compile(r"\b" + _lexicon_regex([str(w) for w in violent_words], code))
                 if violent_words else None),
    )


def rule_files(directory: Path = RESOURCES) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
