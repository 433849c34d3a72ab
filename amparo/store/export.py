"""Exporting a defender's messages (JSONL or CSV), with each message's evidence hash and
locator so every line can be traced to the original. Each export is a custody event."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from amparo.digest import sha256_file
from amparo.errors import InvalidValue
from amparo.store import custody
from amparo.store.messages import MessageFilter, iter_messages
from amparo.store.tables import EvidenceItem
from amparo.store.workspace import Workspace

CSV_COLUMNS = (
    "id", "platform", "kind", "timestamp_utc", "utc_offset_minutes", "author", "author_key",
    "conversation", "text", "reply_to", "forwarded_from", "evidence_item_id",
    "evidence_sha256", "locator",
)


def export_messages(
    ws: Workspace, defender_id: int, output: Path, fmt: str = "jsonl", reason: str = ""
) -> dict[str, Any]:
    if fmt not in ("jsonl", "csv"):
        raise InvalidValue(f"unknown export format {fmt!r}: use jsonl or csv")
    count = 0
    tmp = output.with_name(output.name + ".partial")
    with ws.session() as s:
        shas = dict(s.query(EvidenceItem.id, EvidenceItem.sha256).filter(
            EvidenceItem.defender_id == defender_id).all())
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh) if fmt == "csv" else None
            if writer:
                writer.writerow(CSV_COLUMNS)
            for msg in iter_messages(s, MessageFilter(defender_id=defender_id)):
                msg["evidence_sha256"] = shas.get(msg["evidence_item_id"])
                if writer:
                    row = {**msg, "locator": json.dumps(msg["locator"], ensure_ascii=False)}
                    writer.writerow([row.get(c) for c in CSV_COLUMNS])
                else:
                    fh.write(json.dumps(msg, ensure_ascii=False) + "\n")
                count += 1
        digest = sha256_file(tmp)
        custody.append(
            s, actor=ws.settings.actor, action="evidence.export", object_type="defender",
            object_id=str(defender_id), reason=reason,
            details={"format": fmt, "messages": count, "sha256": digest, "file": output.name},
        )
    tmp.replace(output)
    ws.after_commit()
    return {"file": str(output), "format": fmt, "messages": count, "sha256": digest}
