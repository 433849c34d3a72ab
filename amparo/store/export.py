"""Exporting a defender's messages (JSONL or CSV), with each message's evidence hash and
locator so every line can be traced to the original. Each export is a custody event."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from amparo.digest import sha256_file
from amparo.errors import AmparoError, FileProblem, InvalidValue
from amparo.store import custody
from amparo.store.messages import MessageFilter, iter_messages
from amparo.store.tables import EvidenceItem
from amparo.store.workspace import Workspace

CSV_COLUMNS = (
    "id", "platform", "kind", "timestamp_utc", "utc_offset_minutes", "author", "author_key",
    "conversation", "text", "reply_to", "forwarded_from", "evidence_item_id",
    "evidence_sha256", "locator",
)

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# injection"): such text cells get a leading single quote. JSONL exports keep text exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a CSV cell no spreadsheet will execute: text starting with a formula
    character is prefixed with `'`; numbers and everything else pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_messages(
    ws: Workspace, defender_id: int, output: Path, fmt: str = "jsonl", reason: str = "",
    *, overwrite: bool = False,
) -> dict[str, Any]:
    """Write the export to `output` (refused if it exists, unless `overwrite`); the file
    appears whole or not at all."""
    if fmt not in ("jsonl", "csv"):
        raise InvalidValue(f"unknown export format {fmt!r}: use jsonl or csv")
    _check_target(output, overwrite)
    count = 0
    tmp = output.with_name(output.name + ".partial")
    placed = False
    try:
        with ws.session() as s:
            shas = dict(s.query(EvidenceItem.id, EvidenceItem.sha256).filter(
                EvidenceItem.defender_id == defender_id).all())
            try:
                fh = tmp.open("w", encoding="utf-8", newline="")
            except OSError as exc:
                raise FileProblem(output, exc, "write") from None
            with fh:
                writer = csv.writer(fh) if fmt == "csv" else None
                if writer:
                    writer.writerow(CSV_COLUMNS)
                for msg in iter_messages(s, MessageFilter(defender_id=defender_id)):
                    msg["evidence_sha256"] = shas.get(msg["evidence_item_id"])
                    if writer:
                        row = {**msg, "locator": json.dumps(msg["locator"], ensure_ascii=False)}
                        writer.writerow([spreadsheet_safe(row.get(c)) for c in CSV_COLUMNS])
                    else:
                        fh.write(json.dumps(msg, ensure_ascii=False) + "\n")
                    count += 1
            digest = sha256_file(tmp)
            _move(tmp, output, overwrite)
            placed = not overwrite
            # Logged in a transaction that commits only once the file is in place.
            custody.append(
                s, actor=ws.settings.actor, action="evidence.export", object_type="defender",
                object_id=str(defender_id), reason=reason,
                details={"format": fmt, "messages": count, "sha256": digest,
                         "file": output.name},
            )
    except BaseException:
        if placed:  # the log could not record it: an export must never exist unlogged
            output.unlink(missing_ok=True)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    ws.after_commit()
    return {"file": str(output.resolve()), "format": fmt, "messages": count, "sha256": digest}


def _check_target(output: Path, overwrite: bool) -> None:
    if output.is_dir():
        raise AmparoError(f"{output} is a folder; give a file name to write the export to")
    if output.exists() and not overwrite:
        raise AmparoError(f"{output} already exists; choose another file or pass --force "
                          "to replace it")
    if not output.parent.is_dir():
        raise AmparoError(f"{output}: cannot write: the folder {output.parent} does not exist")


def _move(tmp: Path, output: Path, overwrite: bool) -> None:
    """Put the finished file in place; without `overwrite`, never over a file that appeared
    meanwhile (a hard link fails if the name is taken)."""
    try:
        if overwrite:
            tmp.replace(output)
            return
        try:
            os.link(tmp, output)
        except FileExistsError:
            raise AmparoError(f"{output} appeared while exporting; nothing was replaced; "
                              "pass --force to replace it") from None
        except OSError:  # a file system without hard links: check, then rename
            if output.exists():
                raise AmparoError(f"{output} already exists; pass --force to replace it") \
                    from None
            tmp.replace(output)
    except OSError as exc:
        raise FileProblem(output, exc, "write") from None
