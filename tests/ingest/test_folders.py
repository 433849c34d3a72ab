"""Which exports a path holds: a folder that is one export stays one, a folder of several is
split, and nothing no format reads is dropped quietly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amparo.domain import ParsedMessage, RecordError
from amparo.ingest import ImportOptions, ImportRejected, SourceLimits
from amparo.ingest.folders import plan_path, read_unit, with_skipped_parts
from amparo.ingest.registry import IMPORTERS
from tests.ingest.helpers import FIXTURES, MIXED_FORMATS, mixed_folder

LIMITS = SourceLimits()


@pytest.mark.parametrize(
    ("folder", "fmt"),
    [
        ("telegram/ChatExport_2024-03-15", "telegram"),
        ("twitter/archive", "twitter"),
        ("slack/workspace", "slack"),
        ("facebook/export_2024", "facebook"),
        ("facebook/export_legacy", "facebook"),
        ("instagram/export_2024", "instagram"),
        ("instagram/export_legacy", "instagram"),
        ("mastodon/archive", "mastodon"),
        ("email/folder", "email"),
        ("discord/dm_with_media", "discord"),
    ],
)
def test_an_export_folder_stays_one_export(folder: str, fmt: str) -> None:
    plan = plan_path(FIXTURES / folder, "auto", LIMITS)
    assert [(u.path, u.format, u.only) for u in plan.units] == [(FIXTURES / folder, fmt, None)]
    assert plan.left_out == []


def test_a_folder_of_several_exports_is_split_by_format(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    plan = plan_path(folder, "auto", LIMITS)
    assert {u.path.name: u.format for u in plan.units} == MIXED_FORMATS
    assert all(u.detected and u.only is None for u in plan.units)
    assert {u.name for u in plan.units} == {f"from Ana/{n}" for n in MIXED_FORMATS}
    assert [(lo.path, lo.why) for lo in plan.left_out] == [
        ("from Ana/.DS_Store", "system clutter, not evidence")]


def test_export_folders_inside_a_folder_are_planned_on_their_own(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    shutil.copytree(FIXTURES / "telegram/ChatExport_2024-03-15", folder / "ChatExport")
    shutil.copytree(FIXTURES / "twitter/archive", folder / "x-archive")
    plan = plan_path(folder, "auto", LIMITS)
    units = {u.name: u.format for u in plan.units}
    assert units["from Ana/ChatExport"] == "telegram"
    assert units["from Ana/x-archive"] == "twitter"
    assert len(units) == 6


def test_files_nobody_reads_are_refused_by_name(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    shutil.copyfile(FIXTURES / "mastodon/archive/avatar.png", folder / "screenshot.png")
    (folder / "notes").mkdir()
    (folder / "notes" / "call.txt").write_text("ligou às 10h, ameaçou de novo\n")
    with pytest.raises(ImportRejected) as exc:
        plan_path(folder, "auto", LIMITS)
    assert "from Ana/notes/call.txt" in str(exc.value)
    assert "from Ana/screenshot.png" in str(exc.value)
    assert "WhatsApp" not in str(exc.value)
    # A re-read of originals already preserved lists them instead.
    plan = plan_path(folder, "auto", LIMITS, unreadable_ok=True)
    assert {lo.path for lo in plan.left_out} == {"from Ana/notes/call.txt",
                                                 "from Ana/screenshot.png"}


def test_a_chosen_format_reads_the_folder_as_one_export(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    plan = plan_path(folder, "email", LIMITS)
    assert [(u.path, u.format, u.detected) for u in plan.units] == [(folder, "email", False)]


def test_an_archive_in_an_export_folder_is_read_on_its_own() -> None:
    """The WhatsApp fixtures folder: chats and a chat zip. A folder reader never opens a
    zip, so the zip is its own export instead of a preserved but unread member."""
    folder = FIXTURES / "whatsapp"
    plan = plan_path(folder, "auto", LIMITS)
    by_name = {u.path.name: u for u in plan.units}
    assert by_name["WhatsApp Chat - Defenders Network.zip"].format == "whatsapp"
    rest = by_name["whatsapp"]
    assert rest.format == "whatsapp"
    chats = {p.name for p in folder.glob("*.txt")}
    assert len(chats) >= 2 and rest.only == frozenset(chats)


def test_a_part_the_reader_skips_is_read_on_its_own() -> None:
    """The Mastodon fixtures folder: an archive beside two API dumps. The archive reader takes
    only the archive; the dumps are read on their own, with folder-relative members."""
    folder = FIXTURES / "mastodon"
    [unit] = plan_path(folder, "auto", LIMITS).units
    with read_unit(unit, ImportOptions(), LIMITS) as (importer, _source, stream):
        records = list(with_skipped_parts(unit, importer, stream, ImportOptions(), LIMITS))
    members = {r.member if isinstance(r, RecordError) else r.locator.member for r in records}
    assert {"statuses.json", "notifications.json", "archive/outbox.json"} <= members
    assert sum(isinstance(r, ParsedMessage) and r.locator.member == "statuses.json"
               for r in records) == 3
    assert [(a.file, a.topic) for a in importer.assumptions] == [
        ("mastodon/notifications.json", "part"), ("mastodon/statuses.json", "part")]


def test_links_are_left_out_and_listed(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    (folder / "elsewhere.txt").symlink_to(FIXTURES / "email/folder/notes.txt")
    plan = plan_path(folder, "auto", LIMITS)
    assert [(lo.path, lo.why) for lo in plan.left_out] == [
        ("from Ana/elsewhere.txt", "a link or special file, not read")]


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportRejected, match="holds no file to import"):
        plan_path(tmp_path / "empty", "auto", LIMITS)


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_every_importer_can_report_assumptions(name: str) -> None:
    assert IMPORTERS[name]().assumptions == []


def _zip(folder: Path, target: Path, *, with_root: bool) -> Path:
    import zipfile

    with zipfile.ZipFile(target, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                rel = p.relative_to(folder.parent if with_root else folder)
                zf.write(p, rel.as_posix())
    return target


@pytest.mark.parametrize("with_root", [True, False], ids=["zipped-folder", "zipped-contents"])
def test_a_zip_of_several_exports_is_refused(tmp_path: Path, with_root: bool) -> None:
    """A zip is one evidence item read in one format: a zipped folder of several exports used
    to be read as email, the rest preserved but never read."""
    archive = _zip(mixed_folder(tmp_path), tmp_path / "from Ana.zip", with_root=with_root)
    with pytest.raises(ImportRejected, match=r"holds several exports: besides email, .*"
                       r"result.json \(telegram\).*unzip it and import the folder"):
        plan_path(archive, "auto", LIMITS)


@pytest.mark.parametrize(
    ("folder", "fmt"),
    [("telegram/ChatExport_2024-03-15", "telegram"), ("twitter/archive", "twitter"),
     ("slack/workspace", "slack"), ("instagram/export_legacy", "instagram"),
     ("mastodon/archive", "mastodon"), ("email/folder", "email")],
)
@pytest.mark.parametrize("with_root", [True, False], ids=["zipped-folder", "zipped-contents"])
def test_a_zipped_export_is_one_export(tmp_path: Path, folder: str, fmt: str,
                                       with_root: bool) -> None:
    archive = _zip(FIXTURES / folder, tmp_path / "export.zip", with_root=with_root)
    assert [u.format for u in plan_path(archive, "auto", LIMITS).units] == [fmt]


def test_a_mixed_zip_inside_a_folder_is_refused_too(tmp_path: Path) -> None:
    inner = mixed_folder(tmp_path / "src")
    folder = tmp_path / "intake"
    folder.mkdir()
    _zip(inner, folder / "from Ana.zip", with_root=True)
    shutil.copyfile(FIXTURES / "email/threat_utf8.eml", folder / "threat.eml")
    with pytest.raises(ImportRejected, match=r"from Ana.zip: holds several exports"):
        plan_path(folder, "auto", LIMITS)
