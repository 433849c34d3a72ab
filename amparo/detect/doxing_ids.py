"""Checksum and format validators for national identity and tax numbers, and IBANs.

Each validator takes the number with separators removed (upper case) and answers whether it is
well formed and its check digits are right. Only numbers that pass become findings, so a random
run of digits (an order number, an amount, a date) is very unlikely to be reported.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable


def _digits(s: str) -> list[int]:
    return [int(c) for c in s]


def _all_same(s: str) -> bool:
    return len(set(s)) == 1


def cpf(n: str) -> bool:
    """Brazil CPF: 11 digits, two mod-11 check digits."""
    if len(n) != 11 or not n.isdigit() or _all_same(n):
        return False
    d = _digits(n)
    for k in (9, 10):
        total = sum(d[i] * (k + 1 - i) for i in range(k))
        if (total * 10 % 11) % 10 != d[k]:
            return False
    return True


def cnpj(n: str) -> bool:
    """Brazil CNPJ: 14 digits, two mod-11 check digits."""
    if len(n) != 14 or not n.isdigit() or _all_same(n):
        return False
    d = _digits(n)
    for k, weights in ((12, (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)),
                       (13, (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))):
        r = sum(w * x for w, x in zip(weights, d, strict=False)) % 11
        if (0 if r < 2 else 11 - r) != d[k]:
            return False
    return True


def _date_ok(yy: str, mm: str, dd: str) -> bool:
    try:
        datetime.date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return True


_MX_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
_MX_STATES = frozenset((
    "AS", "BC", "BS", "CC", "CH", "CL", "CM", "CS", "DF", "DG", "GR", "GT", "HG", "JC", "MC",
    "MN", "MS", "NE", "NL", "NT", "OC", "PL", "QR", "QT", "SL", "SP", "SR", "TC", "TL", "TS",
    "VZ", "YN", "ZS"))


def curp(n: str) -> bool:
    """Mexico CURP: 18 characters, birth date, sex, state, and a mod-10 check digit."""
    if len(n) != 18 or not (n[:4].isalpha() and n[4:10].isdigit() and n[10:16].isalpha()
                            and n[17].isdigit()):
        return False
    if n[10] not in "HMX" or n[11:13] not in _MX_STATES or not _date_ok(n[4:6], n[6:8], n[8:10]):
        return False
    if any(c not in _MX_ALPHABET for c in n):
        return False
    total = sum(_MX_ALPHABET.index(c) * (18 - i) for i, c in enumerate(n[:17]))
    return str((10 - total % 10) % 10) == n[17]


_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"


def rfc(n: str) -> bool:
    """Mexico RFC (with homoclave): 4 letters (3 for companies), a date, 3 characters whose last
    is a mod-11 check character."""
    if len(n) == 13:
        letters, date = n[:4], n[4:10]
    elif len(n) == 12:
        letters, date = n[:3], n[3:9]
    else:
        return False
    if not all(c.isalpha() or c == "&" for c in letters) or not date.isdigit():
        return False
    if not _date_ok(date[:2], date[2:4], date[4:6]):
        return False
    if any(c not in _RFC_ALPHABET for c in n):
        return False
    padded = ("   " + n[:-1])[-12:]
    total = sum(_RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return _RFC_ALPHABET[(11 - total) % 11] == n[-1]


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_es(n: str) -> bool:
    """Spain DNI: 8 digits and a control letter (number mod 23)."""
    return (len(n) == 9 and n[:8].isdigit() and not _all_same(n[:8])
            and _DNI_LETTERS[int(n[:8]) % 23] == n[8])


def nie_es(n: str) -> bool:
    """Spain NIE: X/Y/Z, 7 digits and a control letter."""
    if len(n) != 9 or n[0] not in "XYZ" or not n[1:8].isdigit():
        return False
    return _DNI_LETTERS[int(str("XYZ".index(n[0])) + n[1:8]) % 23] == n[8]


def rut_cl(n: str) -> bool:
    """Chile RUT/RUN: 7-8 digits and a mod-11 check character (0-9 or K)."""
    body, check = n[:-1], n[-1]
    if not 7 <= len(body) <= 8 or not body.isdigit() or _all_same(body):
        return False
    total = sum(int(c) * (2 + i % 6) for i, c in enumerate(reversed(body)))
    return "0123456789K0"[11 - total % 11] == check


def cuit_ar(n: str) -> bool:
    """Argentina CUIT/CUIL: type prefix, 8-digit DNI, mod-11 check digit."""
    if len(n) != 11 or not n.isdigit() or n[:2] not in {"20", "23", "24", "25", "26", "27",
                                                        "30", "33", "34"}:
        return False
    total = sum(w * int(c) for w, c in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), n, strict=False))
    return "012345678990"[11 - total % 11] == n[10]


_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def nit_co(n: str) -> bool:
    """Colombia NIT: 8-15 digits and a check digit (weighted primes, mod 11)."""
    if not 9 <= len(n) <= 16 or not n.isdigit() or _all_same(n[:-1]):
        return False
    total = sum(w * int(c) for w, c in zip(_NIT_WEIGHTS, reversed(n[:-1]), strict=False))
    return "01987654321"[total % 11] == n[-1]


def ruc_pe(n: str) -> bool:
    """Peru RUC: 11 digits starting 10/15/16/17/20, mod-11 check digit."""
    if len(n) != 11 or not n.isdigit() or n[:2] not in {"10", "15", "16", "17", "20"}:
        return False
    total = sum(w * int(c) for w, c in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), n, strict=False))
    return str((11 - total % 11) % 10) == n[10]


def cedula_ec(n: str) -> bool:
    """Ecuador cédula: 10 digits, province 01-24 or 30, third digit below 6, mod-10 check."""
    if len(n) != 10 or not n.isdigit() or not (1 <= int(n[:2]) <= 24 or n[:2] == "30"):
        return False
    if int(n[2]) >= 6:
        return False
    total = 0
    for i, c in enumerate(n[:9]):
        p = int(c) * (2 if i % 2 == 0 else 1)
        total += p - 9 if p > 9 else p
    return (10 - total % 10) % 10 == int(n[9])


def nif_pt(n: str) -> bool:
    """Portugal NIF: 9 digits, mod-11 check digit."""
    if len(n) != 9 or not n.isdigit() or n[0] not in "1235689" or _all_same(n):
        return False
    total = sum((9 - i) * int(c) for i, c in enumerate(n[:8]))
    check = 11 - total % 11
    return (0 if check >= 10 else check) == int(n[8])


def nir_fr(n: str) -> bool:
    """France NIR (social security number): 13 characters and a 2-digit key (97 - n mod 97);
    Corsica's 2A/2B departments count as 19/18."""
    if len(n) != 15 or n[0] not in "12" or not n[13:].isdigit():
        return False
    body = n[:13].replace("2A", "19", 1).replace("2B", "18", 1) if n[5:7] in {"2A", "2B"} \
        else n[:13]
    if not body.isdigit():
        return False
    return 97 - int(body) % 97 == int(n[13:])


def ci_uy(n: str) -> bool:
    """Uruguay cédula de identidad: 6-7 digits and a check digit (weights 2987634)."""
    if not 7 <= len(n) <= 8 or not n.isdigit():
        return False
    body = n[:-1].rjust(7, "0")
    total = sum(w * int(c) for w, c in zip((2, 9, 8, 7, 6, 3, 4), body, strict=True))
    return (10 - total % 10) % 10 == int(n[-1])


def iban(n: str, lengths: dict[str, int]) -> bool:
    """IBAN: a known country code, that country's length, and mod 97 == 1."""
    if lengths.get(n[:2]) != len(n) or not n[2:4].isdigit() or not n.isalnum():
        return False
    rearranged = n[4:] + n[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "cpf": cpf, "cnpj": cnpj, "curp": curp, "rfc": rfc, "dni_es": dni_es, "nie_es": nie_es,
    "rut_cl": rut_cl, "cuit_ar": cuit_ar, "nit_co": nit_co, "ruc_pe": ruc_pe,
    "cedula_ec": cedula_ec, "nif_pt": nif_pt, "nir_fr": nir_fr, "ci_uy": ci_uy,
}
