"""The import's row writer stores what the ORM would: it bypasses SQLAlchemy's per-row
parameter processing for speed, so every column it converts itself is checked here against
the ORM's own conversion, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from amparo.domain import Attachment, Locator, MessageKind, ParsedAccount, ParsedMessage, Platform
from amparo.store.db import CACHE_KIB, make_engine
from amparo.store.message_writer import MessageWriter
from amparo.store.tables import Account, EvidenceItem, ImportRun, Message
from amparo.store.workspace import Workspace

TROLL = ParsedAccount(Platform.EMAIL, "troll@example.net", handle="troll@example.net",
                      display_name="Troll")
ANA = ParsedAccount(Platform.EMAIL, "ana@example.org", display_name="Ana")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def messages() -> list[ParsedMessage]:
    naive = datetime(2024, 3, 1, 8, 0)
    return [
        # A local time resolved in the writer's zone, twice in the same instant (identical
        # messages are told apart by an occurrence counter), and once more a minute later.
        ParsedMessage(Platform.EMAIL, naive, "vamos te achar", Locator("a.mbox", 1, 3),
                      author=TROLL, conversation_key="t1", conversation_title="Ameaça",
                      recipients=(ANA,)),
        ParsedMessage(Platform.EMAIL, naive, "vamos te achar", Locator("a.mbox", 1, 3),
                      author=TROLL, conversation_key="t1", recipients=(ANA,)),
        ParsedMessage(Platform.EMAIL, naive + timedelta(minutes=1), "de novo",
                      Locator("a.mbox", 4, 4), author=TROLL, conversation_key="t1"),
        # An aware time with its own offset; a JSON locator; attachments, extra data with a
        # value JSON cannot write (kept as text), reply and forward references.
        ParsedMessage(Platform.EMAIL, datetime(2024, 3, 1, 12, 30, 15, 123456,
                                               tzinfo=timezone(timedelta(hours=2))),
                      "foto", Locator(json_path="$.messages[12]"), author=ANA,
                      source_id="<m1@example.org>", reply_to="<m0@example.org>",
                      forwarded_from="Canal \"X\"",
                      attachments=(Attachment(name="foto.jpg", mime_type="image/jpeg",
                                              size=10, omitted=False),),
                      extra={"seen": datetime(2024, 3, 2, tzinfo=UTC), "flag": True}),
        # No time at all; a byte range; a member name that needs JSON escapes; a system event.
        ParsedMessage(Platform.EMAIL, None, "", Locator('pasta/"ç".mbox', byte_start=0,
                                                        byte_end=99),
                      kind=MessageKind.SYSTEM, extra={"event": "other"}),
        ParsedMessage(Platform.EMAIL, naive, "sem membro", Locator(None, 7, 9), author=ANA),
    ]


def expected_time(msg: ParsedMessage) -> tuple[datetime | None, int | None, bool]:
    ts = msg.timestamp
    if ts is None:
        return None, None, False
    if ts.tzinfo is not None:
        offset = ts.utcoffset()
        assert offset is not None
        return ts.astimezone(UTC), int(offset.total_seconds() // 60), False
    local = ts.replace(tzinfo=SAO_PAULO)
    offset = local.utcoffset()
    assert offset is not None
    return local.astimezone(UTC), int(offset.total_seconds() // 60), True


def test_rows_hold_what_the_parsed_messages_say(ws: Workspace, defender_id: int) -> None:
    parsed = messages()
    with ws.session() as s:
        started = datetime.now(UTC)
        run = ImportRun(defender_id=defender_id, actor="tester", started_at=started,
                        finished_at=started, report="{}")
        s.add(run)
        s.flush()
        item = EvidenceItem(defender_id=defender_id, import_run_id=run.id, sha256="0" * 64,
                            size=1, original_name="a.mbox", format="email",
                            acquired_at=started, acquired_by="tester")
        s.add(item)
        s.flush()
        writer = MessageWriter(s, defender_id, SAO_PAULO)
        for msg in parsed:
            writer.add(msg, item.id)
        writer.flush()
    with ws.session() as s:
        rows = s.execute(select(Message).order_by(Message.id)).scalars().all()
        ids = {a.key: a.id for a in s.execute(select(Account)).scalars()}
    assert len(rows) == len(parsed)
    assert len({r.fingerprint for r in rows}) == len(rows)
    for row, msg in zip(rows, parsed, strict=True):
        ts_utc, offset, assumed = expected_time(msg)
        assert (row.ts_utc, row.utc_offset_min, row.tz_assumed) == (ts_utc, offset, assumed)
        assert row.locator == json.dumps(msg.locator.to_dict(), ensure_ascii=False)
        assert row.platform == "email" and row.kind == msg.kind.value
        assert row.text == msg.text and row.source_id == msg.source_id
        assert (row.reply_to, row.forwarded_from) == (msg.reply_to, msg.forwarded_from)
        assert row.author_id == (ids[msg.author.key] if msg.author else None)
        assert (json.loads(row.recipients) if row.recipients else []) == \
            [ids[r.key] for r in msg.recipients]
        assert (json.loads(row.attachments) if row.attachments else []) == \
            [a.to_dict() for a in msg.attachments]
        assert row.extra == (json.dumps(msg.extra, ensure_ascii=False, default=str)
                             if msg.extra else None)
    assert rows[0].conversation_id == rows[2].conversation_id is not None
    assert rows[4].conversation_id is None and rows[4].author_id is None


def test_stored_times_are_spelled_as_the_orm_spells_them(ws: Workspace,
                                                         defender_id: int) -> None:
    """Raw column values, not read back through the ORM: SQLite compares times as text, so a
    time the writer formatted differently would sort wrongly against the ORM's."""
    when = datetime(2024, 3, 1, 11, 0, tzinfo=UTC)
    with ws.session() as s:
        run = ImportRun(defender_id=defender_id, actor="tester", started_at=when,
                        finished_at=when, report="{}")
        s.add(run)
        s.flush()
        item = EvidenceItem(defender_id=defender_id, import_run_id=run.id, sha256="1" * 64,
                            size=1, original_name="x", format="email", acquired_at=when,
                            acquired_by="tester")
        s.add(item)
        s.flush()
        writer = MessageWriter(s, defender_id, SAO_PAULO)
        writer.add(ParsedMessage(Platform.EMAIL, datetime(2024, 3, 1, 8, 0), "oi",
                                 Locator("x", 1, 1)), item.id)
        writer.flush()
        run_id = run.id
    with ws.engine.connect() as conn:
        by_orm = conn.execute(text("select started_at from import_runs where id = :i"),
                              {"i": run_id}).scalar_one()
        by_writer, assumed = conn.execute(text("select ts_utc, tz_assumed from messages")).one()
    assert by_writer == by_orm
    assert assumed in (True, 1)


@pytest.mark.parametrize("loc", [
    Locator(),
    Locator("chat.txt", 1, 1),
    Locator(None, 5, 9),
    Locator('pasta/"aspas"\\ção\n.txt', 2, 3),
    Locator("WhatsApp Chat with Ana 👩🏽.txt", 10, 12),
    Locator("x", 4, None),
    Locator("data.json", json_path="$.messages[3]"),
    Locator("a.mbox", byte_start=10, byte_end=20),
    Locator("a.mbox", 1, 2, byte_start=10, byte_end=20),
])
def test_locator_json_is_json_dumps_of_the_locator(tmp_path: Path, loc: Locator) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        writer = MessageWriter(s, 1, None)
        assert writer.locator_json(loc) == json.dumps(loc.to_dict(), ensure_ascii=False)
        assert writer.locator_json(loc) == json.dumps(loc.to_dict(), ensure_ascii=False)
    engine.dispose()


def test_sqlite_connections_have_a_large_page_cache(tmp_path: Path) -> None:
    """A large import inserts into the unique fingerprint index at random places; with
    SQLite's default 2 MiB cache it spilled and re-read pages all through the transaction."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("pragma cache_size")).scalar_one() == -CACHE_KIB
    engine.dispose()
    assert CACHE_KIB >= 64 * 1024
