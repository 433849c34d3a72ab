"""Parsers for indicator files: STIX 2 bundles, MISP JSON events, CSV and plain lists.

Used through `amparo.detect.indicators.load_indicator_file`. A STIX bundle is read as plain
JSON (the `stix2` library's full object parser takes seconds on a 2 MB MVT bundle) and each
indicator's pattern is parsed by the OASIS grammar (`stix2-patterns`). Every `=`, `IN` or (for
IP addresses) `ISSUBSET` comparison of a network object's value gives one indicator; a pattern
that describes values instead of listing them (`MATCHES`, `LIKE`, `!=`, `NOT =` ...) is refused:
Amparo compares exact values, and reading a regular expression as a domain would match the wrong
thing. Any bad value is an error naming the file and the line, or the JSON object, at fault: a
collection is imported whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from amparo.detect.indicators import (
    IndicatorCollection,
    IndicatorError,
    Source,
    classify,
    collection_from_json,
)

# STIX object paths that carry network indicators, and the kind each one is.
_STIX_KINDS = {"domain-name:value": "domain", "hostname:value": "domain", "url:value": "url",
               "ipv4-addr:value": "ip", "ipv6-addr:value": "ip", "email-addr:value": "email",
               "email-message:from_ref.value": "email"}
# Comparisons that list values; ISSUBSET only for addresses ("in this network").
_STIX_LISTING = {"=", "IN"}
_STIX_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")
_STIX_ESCAPE = re.compile(r"\\(.)")
# MISP attribute types that carry network indicators ("a|b" types keep the first part).
_MISP_KINDS = {"domain": "domain", "hostname": "domain", "domain|ip": "domain",
               "hostname|port": "domain", "url": "url", "uri": "url", "ip-dst": "ip",
               "ip-src": "ip", "ip-dst|port": "ip", "ip-src|port": "ip", "email-src": "email",
               "email": "email", "email-reply-to": "email", "whois-registrant-email": "email"}
# CSV column names that hold indicators, and the kind each one holds (None: any).
_CSV_COLUMNS: dict[str, str | None] = {
    "value": None, "indicator": None, "ioc": None, "observable": None, "c2": None,
    "domain": "domain", "domain_name": "domain", "domain name": "domain", "domains": "domain",
    "hostname": "domain", "host": "domain", "fqdn": "domain", "url": "url", "urls": "url",
    "ip": "ip", "ip_address": "ip", "ip address": "ip", "ip-dst": "ip", "ipv4": "ip",
    "email": "email", "e-mail": "email", "email_address": "email",
}


def _add(coll: IndicatorCollection, value: str, source: Source, hint: str | None,
         where: str, strict: bool) -> None:
    try:
        coll.add_raw(value, source, hint)
    except ValueError as exc:
        if strict:
            raise IndicatorError(f"{where}: {exc}") from None
        coll.skipped.append(f"{where}: {exc}")


def read(path: Path, name: str | None, publisher: str, strict: bool) -> IndicatorCollection:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise IndicatorError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise IndicatorError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    coll = IndicatorCollection(name or path.stem, origin=path.name)
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IndicatorError(
                f"{path} line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from None
        if isinstance(data, dict) and "format" in data:
            return collection_from_json(data, str(path))
        if isinstance(data, dict) and (data.get("type") == "bundle" or "objects" in data):
            _read_stix(data, coll, path, publisher, strict)
        elif _misp_events(data):
            _read_misp(data, coll, path, publisher, strict)
        else:
            raise IndicatorError(f"{path}: JSON, but neither a STIX 2 bundle (with 'objects') "
                                 "nor a MISP event (with 'Event')")
    else:
        rows = [(n, line) for n, line in enumerate(text.splitlines(), 1)
                if line.strip() and not line.lstrip().startswith("#")]
        source = Source(coll.name, publisher, path.name)
        if rows and "," in rows[0][1]:
            _read_csv(text, coll, path, source, strict)
        else:
            for n, line in rows:
                _add(coll, line.split(" #", 1)[0], source, None, f"{path} line {n}", strict)
    bad, good = len(coll.skipped), len(coll)
    if not good:
        first = f" ({coll.skipped[0]})" if bad else ""
        raise IndicatorError(f"{path}: no domain, URL, IP or e-mail indicators found{first}")
    if bad > 5 and bad * 10 > bad + good:
        raise IndicatorError(f"{path}: {bad} of {bad + good} values are not indicators, "
                             f"starting with {coll.skipped[0]}")
    return coll


# ---------------------------------------------------------------- STIX 2


def _read_stix(data: dict[str, Any], coll: IndicatorCollection, path: Path,
               publisher: str, strict: bool) -> None:
    objects = data.get("objects")
    if not isinstance(objects, list):
        raise IndicatorError(f"{path}: STIX bundle without an 'objects' list")
    by_id: dict[str, dict[str, Any]] = {}
    for i, obj in enumerate(objects):
        if not isinstance(obj, dict) or "type" not in obj:
            raise IndicatorError(f"{path}: objects[{i}] is not a STIX object (no 'type')")
        if "id" in obj:
            by_id[str(obj["id"])] = obj
    # indicator id -> the malware / campaign / report it indicates or belongs to
    owner: dict[str, dict[str, Any]] = {}
    default: dict[str, Any] | None = None
    for obj in objects:
        kind = obj["type"]
        if kind in ("malware", "report", "campaign", "intrusion-set", "threat-actor", "tool"):
            default = default or obj
            for ref in obj.get("object_refs", []) if kind == "report" else []:
                owner.setdefault(str(ref), obj)
        elif kind == "relationship" and obj.get("relationship_type") == "indicates":
            target = by_id.get(str(obj.get("target_ref")))
            if target is not None:
                owner[str(obj.get("source_ref"))] = target
    sources: dict[str, Source] = {}
    for i, obj in enumerate(objects):
        if obj["type"] != "indicator" or obj.get("pattern_type", "stix") != "stix":
            continue
        pattern = obj.get("pattern")
        if not isinstance(pattern, str):
            raise IndicatorError(f"{path}: objects[{i}] ({obj.get('id')}): no pattern")
        about = owner.get(str(obj.get("id"))) or default or {}
        key = str(about.get("id", ""))
        source = sources.get(key)
        if source is None:
            title = str(about.get("name") or obj.get("name") or coll.name)
            author = by_id.get(str(about.get("created_by_ref") or obj.get("created_by_ref")))
            who = str(author.get("name")) if author else publisher
            source = sources[key] = Source(title, who, path.stem)
        where = f"{path}: objects[{i}] ({obj.get('id')})"
        version = str(obj.get("spec_version") or data.get("spec_version") or "2.1")
        try:
            terms = _stix_terms(pattern, version)
        except ValueError as exc:
            if strict:
                raise IndicatorError(f"{where}: {exc}") from None
            coll.skipped.append(f"{where}: {exc}")
            continue
        for kind, operator, value in terms:
            if operator not in _STIX_LISTING and not (operator == "ISSUBSET" and kind == "ip"):
                raise IndicatorError(
                    f"{where}: the pattern {pattern} compares with {operator}, which describes "
                    "values instead of listing them; Amparo matches exact domains, URLs, "
                    "addresses and networks only. Remove this indicator or list its values with "
                    "'=' and import again.")
            _add(coll, value, source, kind, where, strict)


def _stix_terms(pattern: str, version: str) -> list[tuple[str, str, str]]:
    """(kind, operator, value) of every comparison of a network object's value in a STIX
    pattern, one per listed value; ValueError if the pattern does not parse."""
    from stix2patterns.exceptions import ParseException

    if version == "2.0":
        from stix2patterns.v20.pattern import Pattern
    else:
        from stix2patterns.v21.pattern import Pattern
    try:
        comparisons = Pattern(pattern).inspect().comparisons
    except ParseException as exc:
        raise ValueError(f"invalid STIX {version} pattern {pattern[:200]!r}: {exc}") from None
    terms: list[tuple[str, str, str]] = []
    for object_type, found in comparisons.items():
        for object_path, operator, literal in found:
            kind = _STIX_KINDS.get(f"{object_type}:{'.'.join(map(str, object_path))}")
            if kind is None:  # file hashes, process names ...: not a network indicator
                continue
            # The grammar has checked the literal: one quoted string, or a set of them for IN.
            strings = _STIX_STRING.findall(literal) or [literal]
            terms.extend((kind, operator, _STIX_ESCAPE.sub(r"\1", text)) for text in strings)
    return terms


# ---------------------------------------------------------------- MISP


def _misp_events(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return []
    events = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("Event"), dict):
            events.append(item["Event"])
        elif isinstance(item, dict) and isinstance(item.get("Attribute"), list):
            events.append(item)
    return events


def _attributes(event: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for j, attr in enumerate(event.get("Attribute", [])):
        yield f"Attribute[{j}]", attr
    for k, obj in enumerate(event.get("Object", [])):
        for j, attr in enumerate(obj.get("Attribute", []) if isinstance(obj, dict) else []):
            yield f"Object[{k}].Attribute[{j}]", attr


def _read_misp(data: Any, coll: IndicatorCollection, path: Path, publisher: str,
               strict: bool) -> None:
    for e, event in enumerate(_misp_events(data)):
        org = event.get("Orgc") or event.get("Org") or {}
        who = str(org.get("name", "")) if isinstance(org, dict) else ""
        ref = " ".join(str(x) for x in (event.get("date"), "MISP event",
                                        event.get("id") or event.get("uuid")) if x)
        source = Source(str(event.get("info") or coll.name), who or publisher, ref)
        for where, attr in _attributes(event):
            if not isinstance(attr, dict):
                raise IndicatorError(f"{path}: Event[{e}].{where} is not an object")
            kind = _MISP_KINDS.get(str(attr.get("type", "")))
            if kind is None or attr.get("deleted") is True:
                continue
            value = str(attr.get("value", ""))
            if "|" in str(attr.get("type")):
                value = value.split("|", 1)[0]
            _add(coll, value, source, kind,
                 f"{path}: Event[{e}].{where} (type {attr.get('type')!r})", strict)


# ---------------------------------------------------------------- CSV


def _read_csv(text: str, coll: IndicatorCollection, path: Path, source: Source,
              strict: bool) -> None:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    columns: list[tuple[int, str | None]] = []
    type_col = None
    for row in reader:
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        line = reader.line_num
        if header is None:
            header = [cell.strip().lower() for cell in row]
            columns = [(i, _CSV_COLUMNS[h]) for i, h in enumerate(header) if h in _CSV_COLUMNS]
            type_col = header.index("type") if "type" in header else None
            if not columns:
                try:
                    classify(row[0])
                except ValueError:
                    raise IndicatorError(
                        f"{path} line {line}: no indicator column in the CSV header (expected "
                        "one of value, indicator, domain, url, ip, email)") from None
                columns = [(0, None)]  # no header: the first column holds the indicators
            else:
                continue
        for i, hint in columns:
            value = row[i].strip() if i < len(row) else ""
            if not value:
                continue
            if type_col is not None and hint is None:  # MISP CSV export: type, value
                hint = _MISP_KINDS.get(row[type_col].strip() if type_col < len(row) else "")
                if hint is None:
                    continue
                if "|" in value:
                    value = value.split("|", 1)[0]
            _add(coll, value, source, hint, f"{path} line {line}", strict)
