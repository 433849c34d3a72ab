"""Stream OONI measurements from JSON or JSONL files, plain or gzip, one file or a folder.

Memory stays bounded: a JSONL file is read line by line, and a `.json` file is one measurement
(OONI publishes single measurements that way). A record that is not valid JSON or lacks a key
of the base data format (df-000) becomes a `BadRecord` naming its file and line; reading goes
on with the next one.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

# df-000 keys Amparo relies on; `input` and `test_start_time` are optional (tests without
# input, old probes), `test_keys` must be present but may be null (the probe measured nothing).
REQUIRED = ("report_id", "test_name", "probe_cc", "probe_asn", "measurement_start_time",
            "software_name", "software_version", "test_keys")
SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
# One measurement line larger than this is refused rather than held in memory.
MAX_RECORD_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Measurement:
    """What Amparo keeps of one OONI measurement; `test_keys` is the raw observation."""

    file: str
    line: int
    report_id: str
    test_name: str
    probe_cc: str
    probe_asn: str
    measurement_start_time: str
    test_start_time: str | None
    software_name: str
    software_version: str
    input: str | None
    measurement_uid: str | None
    test_keys: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read, named by file and line."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.reason}"


class ReadError(Exception):
    """PATH itself cannot be read (missing, not a measurement file)."""


def measurement_files(path: Path) -> list[Path]:
    """The measurement files at PATH: itself, or those in the folder (recursively), sorted."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*")
                      if p.is_file() and p.name.lower().endswith(SUFFIXES))
    raise ReadError(f"{path}: no such file or folder")


def read_path(path: Path) -> Iterator[Measurement | BadRecord]:
    """Every record under PATH, in file order; bad ones as `BadRecord`, never an exception."""
    for file in measurement_files(path):
        yield from read_file(file)


def _open(file: Path) -> IO[bytes]:
    with file.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(file, "rb"))
    return file.open("rb")


def read_file(file: Path) -> Iterator[Measurement | BadRecord]:
    name = str(file)
    try:
        stream = _open(file)
    except OSError as exc:
        yield BadRecord(name, 0, f"cannot open: {exc.strerror or exc}")
        return
    try:
        with stream:
            first = _first_significant(stream)
            stream.seek(0)
            if first == b"[" or (first == b"{" and _is_single_document(file)):
                yield from _read_document(stream, name)
            else:
                yield from _read_lines(stream, name)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield BadRecord(name, 0, f"damaged file: {exc}")


def _is_single_document(file: Path) -> bool:
    # A `.json` file holds one measurement (possibly pretty-printed over many lines);
    # `.jsonl` holds one per line.
    return ".jsonl" not in file.name.lower()


def _first_significant(stream: IO[bytes]) -> bytes:
    while chunk := stream.read(4096):
        stripped = chunk.lstrip()
        if stripped.startswith(b"\xef\xbb\xbf"):
            stripped = stripped[3:].lstrip()
        if stripped:
            return stripped[:1]
    return b""


def _read_document(stream: IO[bytes], name: str) -> Iterator[Measurement | BadRecord]:
    data = stream.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        yield BadRecord(name, 1, f"a single measurement over {MAX_RECORD_BYTES} bytes")
        return
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield BadRecord(name, 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return
    except json.JSONDecodeError as exc:
        yield BadRecord(name, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
        return
    if isinstance(doc, list):
        yield BadRecord(name, 1, "a JSON list, not one measurement (OONI publishes one "
                                 "measurement per .json file, or one per line in .jsonl)")
        return
    yield validate(doc, name, 1)


def _read_lines(stream: IO[bytes], name: str) -> Iterator[Measurement | BadRecord]:
    for number, raw in enumerate(_lines(stream), start=1):
        if raw is None:
            yield BadRecord(name, number, f"line over {MAX_RECORD_BYTES} bytes")
            continue
        if not raw.strip():
            continue
        try:
            doc = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            yield BadRecord(name, number, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        except json.JSONDecodeError as exc:
            yield BadRecord(name, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield validate(doc, name, number)


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Lines of the stream; None for one too long to hold (the rest of it is skipped)."""
    while True:
        line = stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_RECORD_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line


def validate(doc: Any, file: str, line: int) -> Measurement | BadRecord:
    """The measurement in DOC, or why it is not one (the keys of df-000 Amparo needs)."""
    if not isinstance(doc, dict):
        return BadRecord(file, line, f"a JSON {type(doc).__name__}, not a measurement object")
    missing = [key for key in REQUIRED if key not in doc]
    if missing:
        return BadRecord(file, line, "missing required key(s): " + ", ".join(missing))
    for key in REQUIRED[:-1]:
        if not isinstance(doc[key], str):
            return BadRecord(file, line, f"key {key!r} is not a string")
    for key in ("test_start_time", "measurement_uid"):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            return BadRecord(file, line, f"key {key!r} is not a string")
    test_keys = doc["test_keys"]
    if test_keys is not None and not isinstance(test_keys, dict):
        return BadRecord(file, line, "key 'test_keys' is not an object")
    return Measurement(
        file=file, line=line, report_id=doc["report_id"], test_name=doc["test_name"],
        probe_cc=doc["probe_cc"], probe_asn=doc["probe_asn"],
        measurement_start_time=doc["measurement_start_time"],
        test_start_time=doc.get("test_start_time"), software_name=doc["software_name"],
        software_version=doc["software_version"], input=_input(doc.get("input")),
        measurement_uid=doc.get("measurement_uid"), test_keys=test_keys or {})


def _input(value: Any) -> str | None:
    # Old probes (meek_fronted_requests_test) wrote the input as a list of strings.
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
