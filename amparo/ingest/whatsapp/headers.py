"""The line that starts a WhatsApp message, in every date and clock layout WhatsApp writes, and
its timestamp.

The layout follows the phone's locale and settings (docs/formats.md lists them): the date
day-first, month-first or year-first, with `/`, `.` or `-` (`2024. 3. 12.` in Korean and
Hungarian); a 2- or 4-digit year; a comma, an Arabic comma, a word (`à`, `klo`) or only a
space before the time; a 24 h clock (`21:15`, `21.15`, `21 h 15`) or a 12 h one with its
marker after (`9:15 PM`, `9:15 p. m.`, `9:15 nachm.`, `9:15 م`) or before the time
(`下午9:15`, `午後9:15`, `오후 9:15`, `du. 9:15`); seconds or not; a dot after the time;
`[…] ` around it (iOS), ` - ` after it (Android) or `: ` after it (old iOS). Digits may be
Arabic-Indic or Persian (Python reads them as numbers); direction marks may sit anywhere.
"""

from __future__ import annotations

import re
from datetime import datetime

# Zero-width direction marks WhatsApp scatters through headers (LRM, RLM, Arabic letter mark).
_DIR = "[\u200e\u200f\u061c]"
# Plain, no-break and narrow no-break spaces, or direction marks standing where a space could.
_SP = "[ \u00a0\u202f\u200e\u200f\u061c]"

# 12-hour markers, as written (without case, dots or spaces) -> afternoon? `中午` is "noon",
# 12:xx and 1:xx after midday; `凌晨`/`早上` are early and late morning.
_MARKERS: dict[str, bool] = {
    "am": False, "pm": True,  # English, Spanish (a. m.), Portuguese, Italian, Indonesian…
    "vorm": False, "nachm": True,  # German
    "πμ": False, "μμ": True,  # Greek
    "ص": False, "م": True,  # Arabic
    "sa": False, "ch": True,  # Vietnamese
    "öö": False, "ös": True,  # Turkish
    "fm": False, "em": True,  # Swedish
    "de": False, "du": True,  # Hungarian
    "凌晨": False, "早上": False, "上午": False,  # Chinese
    "中午": True, "下午": True, "晚上": True,
    "午前": False, "午後": True,  # Japanese
    "오전": False, "오후": True,  # Korean
}
_MARKER = (
    "[aApP]\\.?" + _SP + "?[mM]\\.?|vorm\\.|nachm\\.|[πμ]\\.?" + _SP + "?μ\\.?|[صم]"
    "|SA|CH|ÖÖ|ÖS|fm|em|de\\.|du\\.|上午|下午|凌晨|早上|中午|晚上|午前|午後|오전|오후"
)
# What a 12 h marker or a word before the time can start with (for quick lookaheads).
_WORDISH = "(?=[aApPvnπμصمSCÖfed上下凌早中晚午오àk])"
_DATE_SEP = _DIR + "?[/.\\-]" + _SP + "?"

# Groups by name: `ios` the "[", `stamp` the whole timestamp text (the cache key), `a` `b` `c`
# the date fields as written, `pre`/`post` a 12 h marker, `hour` `minute` `second`, `rest`
# the author and text.
HEADER = re.compile(
    "[\u200e\u200f\u061c\ufeff]*(?P<ios>\\[)?" + _DIR + "*"
    "(?P<stamp>(?P<a>\\d{1,4})" + _DATE_SEP + "(?P<b>\\d{1,2})" + _DATE_SEP
    + "(?P<c>\\d{1,4})\\.?" + _DIR + "?[,\u060c]?" + _SP + "+"
    # Words and markers before the time; the lookaheads keep the usual layouts fast.
    "(?:" + _WORDISH + "(?:(?:à|klo|kl\\.)" + _SP + "+)?(?P<pre>" + _MARKER + ")?" + _SP + "?)?"
    "(?P<hour>\\d{1,2})(?:[:.]|" + _SP + "?h" + _SP + "?)(?P<minute>\\d{2})"
    "(?:[:.](?P<second>\\d{2}))?\\.?"
    "(?:" + _SP + "*" + _WORDISH + "(?P<post>" + _MARKER + "))?)"
    "(?(ios)" + _SP + "*\\]" + _SP + "?|(?:" + _SP + "*[-\u2013]" + _SP + "?|: ))"
    "(?P<rest>.*)"
)

# A last line cut off inside its header: only date/time characters after a date.
_TIME_CHARS = "".join(sorted({*"".join(_MARKERS), *"".join(_MARKERS).upper(), *"àklo"}))
PARTIAL_HEADER = re.compile(
    "[\u200e\u200f\u061c\ufeff]*\\[?" + _DIR + "*\\d{1,4}" + _DATE_SEP + "\\d{1,2}" + _DATE_SEP
    + "\\d{1,4}\\.?[,\u060c \u00a0\u202f\u200e\u200f\u061c]"
    "[\\d, :.\u00a0\u202f\u200e\u200f\u061ch\\]\\-\u2013" + re.escape(_TIME_CHARS) + "]*"
)


# Two-digit years from here on are Buddhist-era ones (2552 BE is 2009, WhatsApp's first year):
# as Gregorian years they would lie decades ahead.
_SHORT_BUDDHIST = 52


# Korean phones write short years first as `24. 3. 13.`: dots each followed by a space, and one
# after the day. Day-first dotted dates differ (`13. 3. 2024`, `13. 03. 2024.`, `13.3.24.`).
_SHORT_YEAR_FIRST = re.compile(_DIR + "?\\d\\d\\. \\d{1,2}\\. \\d{1,2}\\.")


def year_first(m: re.Match[str]) -> bool:
    """Whether a header's date is written year first."""
    return len(m.group("a")) > 2 or _SHORT_YEAR_FIRST.match(m.group("stamp")) is not None


def to_datetime(m: re.Match[str], day_first: bool) -> datetime:
    """The naive local time a header gives; ValueError when it names no real moment."""
    a, b, c = m.group("a", "b", "c")
    if year_first(m):
        year, month, day = int(a) + (2000 if len(a) <= 2 else 0), int(b), int(c)
    else:
        year = int(c)
        if len(c) == 3:
            raise ValueError("three-digit year")
        if len(c) <= 2:
            # WhatsApp is younger than 2000; a short year past 51 can only be Thai (below).
            year += 2500 if year >= _SHORT_BUDDHIST else 2000
        month, day = (int(b), int(a)) if day_first else (int(a), int(b))
    if year >= 2400:
        year -= 543  # the Thai solar calendar (Buddhist era): same months, years 543 ahead
    elif year < 1900:
        raise ValueError(f"year {year} is not a Gregorian one (a Solar Hijri date?)")
    hour = int(m.group("hour"))
    marker = m.group("post") or m.group("pre")
    if marker is not None:
        if hour > 12:
            raise ValueError("hour over 12 with a 12-hour marker")
        key = marker.lower().replace(".", "")
        for space in " \u00a0\u202f\u200e\u200f\u061c":
            key = key.replace(space, "")
        hour = hour % 12 + (12 if _MARKERS[key] else 0)
    second = m.group("second")
    return datetime(year, month, day, hour, int(m.group("minute")), int(second) if second else 0)
