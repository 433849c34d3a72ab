from __future__ import annotations

import itertools
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from amparo.domain import MessageKind, ParsedMessage
from amparo.ingest import ImportOptions, ImportRejected
from amparo.ingest.registry import detect_format
from amparo.ingest.sources import open_source
from amparo.ingest.whatsapp import WhatsAppImporter, chat_title
from amparo.ingest.whatsapp.headers import HEADER
from tests.ingest.helpers import FIXTURES, parse, user_messages

WA = FIXTURES / "whatsapp"
LRM = "\u200e"  # left-to-right mark
NNBSP = "\u202f"  # narrow no-break space (iOS, before AM/PM)
NBSP = "\u00a0"


def write(tmp_path: Path, content: str, name: str = "chat.txt") -> Path:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return p


def only(tmp_path: Path, content: str, options: ImportOptions | None = None) -> ParsedMessage:
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp", options)
    assert not errors
    assert len(msgs) == 1, msgs
    return msgs[0]


# One row per layout or quirk: (id, export text, expected fields of its single message).
# `extra` is checked as a subset; `attachment` against Attachment.to_dict().
CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "android-24h-dmy",
        "13/03/2024, 21:15 - Ana Souza: Te estamos vigiando, periodista.\n",
        {"ts": datetime(2024, 3, 13, 21, 15), "author": "Ana Souza",
         "text": "Te estamos vigiando, periodista."},
    ),
    (
        "ios-24h-seconds",
        "[13/03/2024, 21:15:07] Ana Souza: Sabemos onde você mora.\n",
        {"ts": datetime(2024, 3, 13, 21, 15, 7), "author": "Ana Souza",
         "text": "Sabemos onde você mora."},
    ),
    (
        "android-12h-lower-pm",
        "13/03/2024, 9:15 pm - Ana Souza: Stop writing about the dam.\n",
        {"ts": datetime(2024, 3, 13, 21, 15)},
    ),
    (
        "android-12h-upper-pm-mdy-2digit",
        "3/13/24, 9:15 PM - Tom Becker: Delete the article or else.\n",
        {"ts": datetime(2024, 3, 13, 21, 15), "text": "Delete the article or else.",
         "extra": {}},
    ),
    (
        "ios-12h-narrow-nbsp-mdy",
        f"[3/13/24, 9:15:07{NNBSP}PM] Tom Becker: We know your schedule.\n",
        {"ts": datetime(2024, 3, 13, 21, 15, 7), "author": "Tom Becker"},
    ),
    (
        "es-12h-p-m",
        "13/3/24, 9:15 p. m. - Marisol Quispe: Nos vemos en la fiscalía.\n",
        {"ts": datetime(2024, 3, 13, 21, 15), "text": "Nos vemos en la fiscalía."},
    ),
    (
        "es-12h-a-m-midnight",
        "13/3/24, 12:05 a. m. - Marisol Quispe: ¿Quién es?\n",
        {"ts": datetime(2024, 3, 13, 0, 5)},
    ),
    (
        "en-12h-noon",
        "3/13/24, 12:30 PM - Tom Becker: lunch\n",
        {"ts": datetime(2024, 3, 13, 12, 30)},
    ),
    (
        "dots-2digit-year",
        "13.03.24, 21:15 - Lina Weber: Die Drohungen gehen weiter.\n",
        {"ts": datetime(2024, 3, 13, 21, 15), "author": "Lina Weber"},
    ),
    (
        "dashes-no-comma",
        "13-03-2024 21:15 - Lina Weber: hi\n",
        {"ts": datetime(2024, 3, 13, 21, 15)},
    ),
    (
        "ymd-android",
        "2024-03-12, 21:15 - Ana Souza: ymd\n",
        {"ts": datetime(2024, 3, 12, 21, 15), "extra": {}},
    ),
    (
        "ymd-ios-slashes",
        "[2024/03/12 21:15:07] Ana Souza: ymd\n",
        {"ts": datetime(2024, 3, 12, 21, 15, 7)},
    ),
    (
        "ambiguous-assumes-day-first",
        "04/03/2024, 21:15 - Ana Souza: quando?\n",
        {"ts": datetime(2024, 3, 4, 21, 15), "extra": {"date_order_assumed": True}},
    ),
    (
        "multi-line",
        "13/03/2024, 21:15 - +55 11 91234-5678: Primeira linha\n\nterceira linha\n"
        "Última: com dois pontos\n",
        {"text": "Primeira linha\n\nterceira linha\nÚltima: com dois pontos",
         "lines": (1, 4)},
    ),
    (
        "phone-author",
        "13/03/2024, 21:15 - +55 11 91234-5678: oi\n",
        {"author": "+55 11 91234-5678", "handle": "+5511912345678"},
    ),
    (
        "ios-phone-author-wrapped-in-marks",
        f"[13/03/2024, 21:15:07] {LRM}\u202a+55 11 91234\u20115678\u202c: oi\n",
        {"author": "+55 11 91234-5678", "handle": "+5511912345678"},
    ),
    (
        "invisible-marks-and-nbsp",
        f"{LRM}[13/03/2024,{NBSP}9:15:07{NNBSP}PM] {LRM}Ana Souza: {LRM}Hola\n",
        {"ts": datetime(2024, 3, 13, 21, 15, 7), "author": "Ana Souza", "text": "Hola"},
    ),
    (
        "bom",
        "\ufeff13/03/2024, 21:15 - Ana Souza: com BOM\n",
        {"author": "Ana Souza", "text": "com BOM"},
    ),
    (
        "text-with-colon-and-url",
        "13/03/2024, 21:15 - Ana Souza: veja: https://example.org/a:b\n",
        {"author": "Ana Souza", "text": "veja: https://example.org/a:b"},
    ),
    # System messages, Android (no "Name: ") and iOS (U+200E-marked text).
    (
        "sys-en-encryption",
        "13/03/2024, 21:15 - Messages and calls are end-to-end encrypted. No one outside of "
        "this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n",
        {"kind": MessageKind.SYSTEM, "author": None, "extra": {"event": "encryption"}},
    ),
    (
        "sys-en-joined",
        "13/03/2024, 21:15 - Tom Becker joined using this group's invite link\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "joined"},
         "text": "Tom Becker joined using this group's invite link"},
    ),
    (
        "sys-en-created",
        '13/03/2024, 21:15 - Grace Otieno created group "Defenders Network"\n',
        {"kind": MessageKind.SYSTEM, "extra": {"event": "created"}},
    ),
    (
        "sys-en-added",
        "13/03/2024, 21:15 - Grace Otieno added +44 7700 900123\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "added"}},
    ),
    (
        "sys-en-left",
        "13/03/2024, 21:15 - +44 7700 900123 left\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "left"}},
    ),
    (
        "sys-en-subject-with-colon",
        '13/03/2024, 21:15 - Grace Otieno changed the subject from "Network" to "Alert: '
        'doxxing"\n',
        {"kind": MessageKind.SYSTEM, "author": None, "extra": {"event": "subject"}},
    ),
    (
        "sys-en-security-code",
        "13/03/2024, 21:15 - Your security code with +44 7700 900123 changed. Tap to learn "
        "more.\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "security_code"}},
    ),
    (
        "sys-en-ios-missed-call",
        f"[13/03/2024, 21:15:07] Grace Otieno: {LRM}Missed voice call\n",
        {"kind": MessageKind.SYSTEM, "author": None, "text": "Missed voice call",
         "extra": {"event": "missed_call", "shown_as": "Grace Otieno"}},
    ),
    (
        "sys-en-ios-encryption",
        f"[13/03/2024, 21:15:07] Ana Souza: {LRM}Messages and calls are end-to-end "
        "encrypted. No one outside of this chat, not even WhatsApp, can read or listen to "
        "them.\n",
        {"kind": MessageKind.SYSTEM, "author": None, "extra": {"event": "encryption"}},
    ),
    (
        "sys-es-encryption",
        "13/03/2024, 21:15 - Los mensajes y las llamadas están cifrados de extremo a "
        "extremo. Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni "
        "escucharlos.\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "encryption"}},
    ),
    (
        "sys-es-joined",
        "13/03/2024, 21:15 - Julián Ortega se unió usando el enlace de invitación de este "
        "grupo\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "joined"}},
    ),
    (
        "sys-es-created",
        '13/03/2024, 21:15 - Marisol Quispe creó el grupo "Voces del Río"\n',
        {"kind": MessageKind.SYSTEM, "extra": {"event": "created"}},
    ),
    (
        "sys-es-added",
        "13/03/2024, 21:15 - Marisol Quispe añadió a Julián Ortega\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "added"}},
    ),
    (
        "sys-es-left",
        "13/03/2024, 21:15 - Julián Ortega salió del grupo\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "left"}},
    ),
    (
        "sys-es-subject-with-colon",
        '13/03/2024, 21:15 - Marisol Quispe cambió el asunto de "Río" a "Río: alerta"\n',
        {"kind": MessageKind.SYSTEM, "extra": {"event": "subject"}},
    ),
    (
        "sys-es-security-code",
        "13/03/2024, 21:15 - Tu código de seguridad con Julián Ortega cambió. Toca para "
        "obtener más información.\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "security_code"}},
    ),
    (
        "sys-pt-encryption",
        "13/03/2024, 21:15 - As mensagens e as chamadas são protegidas com a criptografia de "
        "ponta a ponta e ficam somente entre você e os participantes desta conversa.\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "encryption"}},
    ),
    (
        "sys-pt-joined",
        "13/03/2024, 21:15 - Ana Souza entrou usando o link de convite deste grupo\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "joined"}},
    ),
    (
        "sys-pt-created",
        '13/03/2024, 21:15 - Ana Souza criou o grupo "Jornalistas Ameaçadas"\n',
        {"kind": MessageKind.SYSTEM, "extra": {"event": "created"}},
    ),
    (
        "sys-pt-added",
        "13/03/2024, 21:15 - Ana Souza adicionou +55 21 98765-4321\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "added"}},
    ),
    (
        "sys-pt-left",
        "13/03/2024, 21:15 - +55 21 98765-4321 saiu\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "left"}},
    ),
    (
        "sys-pt-subject",
        '13/03/2024, 21:15 - Ana Souza mudou o assunto de "Rede" para "Rede: urgente"\n',
        {"kind": MessageKind.SYSTEM, "extra": {"event": "subject"}},
    ),
    (
        "sys-pt-ios-missed-call",
        f"[13/03/2024, 21:15:07] Ana Souza: {LRM}Chamada de voz perdida\n",
        {"kind": MessageKind.SYSTEM, "extra": {"event": "missed_call"}},
    ),
    # Deleted and edited messages stay user messages.
    (
        "deleted-en",
        "13/03/2024, 21:15 - +44 7700 900123: This message was deleted\n",
        {"kind": MessageKind.USER, "text": "", "extra": {"deleted": True}},
    ),
    (
        "deleted-en-ios",
        f"[13/03/2024, 21:15:07] Tom Becker: {LRM}This message was deleted.\n",
        {"kind": MessageKind.USER, "author": "Tom Becker", "extra": {"deleted": True}},
    ),
    (
        "deleted-es",
        "13/03/2024, 21:15 - +57 300 1234567: Se eliminó este mensaje.\n",
        {"kind": MessageKind.USER, "text": "", "extra": {"deleted": True}},
    ),
    (
        "deleted-pt",
        "13/03/2024, 21:15 - +55 11 91234-5678: Esta mensagem foi apagada\n",
        {"kind": MessageKind.USER, "text": "", "extra": {"deleted": True}},
    ),
    (
        "edited-en",
        "13/03/2024, 21:15 - Tom Becker: see you there <This message was edited>\n",
        {"text": "see you there", "extra": {"edited": True}},
    ),
    # Media placeholders become attachments and leave no text.
    (
        "media-omitted-en",
        "13/03/2024, 21:15 - +44 7700 900123: <Media omitted>\n",
        {"text": "", "attachment": {"omitted": True}},
    ),
    (
        "media-omitted-es",
        "13/03/2024, 21:15 - +57 300 1234567: <Multimedia omitido>\n",
        {"text": "", "attachment": {"omitted": True}},
    ),
    (
        "media-omitted-pt",
        "13/03/2024, 21:15 - +55 11 91234-5678: <Mídia oculta>\n",
        {"text": "", "attachment": {"omitted": True}},
    ),
    (
        "media-attached-ios",
        f"[13/03/2024, 21:15:07] Tom Becker: {LRM}<attached: "
        "00000012-PHOTO-2024-03-12-21-15-07.jpg>\n",
        {"text": "", "attachment": {"name": "00000012-PHOTO-2024-03-12-21-15-07.jpg",
                                    "mime_type": "image/jpeg"},
         "extra": {"attachments_missing": ["00000012-PHOTO-2024-03-12-21-15-07.jpg"]}},
    ),
    (
        "media-file-attached-android-with-caption",
        "13/03/2024, 21:15 - Ana Souza: IMG-20240312-WA0001.jpg (file attached)\n"
        "print do perfil falso\n",
        {"text": "print do perfil falso", "lines": (1, 2),
         "attachment": {"name": "IMG-20240312-WA0001.jpg", "mime_type": "image/jpeg"}},
    ),
    (
        "media-file-attached-es",
        "13/03/2024, 21:15 - Julián Ortega: IMG-20240312-WA0002.jpg (archivo adjunto)\n",
        {"text": "", "attachment": {"name": "IMG-20240312-WA0002.jpg",
                                    "mime_type": "image/jpeg"}},
    ),
    *[
        (
            f"media-{kind}-omitted",
            f"[13/03/2024, 21:15:07] Tom Becker: {LRM}{kind} omitted\n",
            {"text": "", "attachment": {"omitted": True}, "extra": {"media_kind": kind}},
        )
        for kind in ("image", "video", "audio", "sticker", "document")
    ],
    (
        "media-omitted-without-mark",
        "[13/03/2024, 21:15:07] Tom Becker: image omitted\n",
        {"text": "", "attachment": {"omitted": True}, "extra": {"media_kind": "image"}},
    ),
    (
        "media-ios-named-document-omitted",
        f"[13/03/2024, 21:15:07] Grace Otieno: {LRM}Dossier.pdf • {LRM}4 pages "
        f"{LRM}document omitted\n",
        {"text": "", "attachment": {"name": "Dossier.pdf", "mime_type": "application/pdf",
                                    "omitted": True}},
    ),
    (
        "media-pt-ios-imagem-ocultada",
        f"[13/03/2024, 21:15:07] Ana Souza: {LRM}imagem ocultada\n",
        {"text": "", "attachment": {"omitted": True}, "extra": {"media_kind": "image"}},
    ),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layouts_and_quirks(tmp_path: Path, content: str, expected: dict[str, Any]) -> None:
    msg = only(tmp_path, content)
    assert msg.timestamp is not None and msg.timestamp.tzinfo is None
    if "ts" in expected:
        assert msg.timestamp == expected["ts"]
    if "author" in expected:
        got = msg.author.key if msg.author else None
        assert got == expected["author"]
        if got is not None:
            assert not got.startswith(LRM)
    if "handle" in expected:
        assert msg.author is not None and msg.author.handle == expected["handle"]
    if "text" in expected:
        assert msg.text == expected["text"]
    assert not msg.text.startswith(LRM)
    assert msg.kind is expected.get("kind", MessageKind.USER)
    if "extra" in expected:
        assert expected["extra"].items() <= msg.extra.items()
        if not expected["extra"]:
            assert "date_order_assumed" not in msg.extra
    if "attachment" in expected:
        assert [a.to_dict() for a in msg.attachments] == [expected["attachment"]]
    else:
        assert msg.attachments == ()
    start, end = expected.get("lines", (1, 1))
    assert (msg.locator.member, msg.locator.line_start, msg.locator.line_end) == (
        "chat.txt", start, end,
    )


# Date and time layouts across locales and phone settings: (id, header, time it gives).
# Each header is followed by "Ana: oi"; days past 12 keep the date order unambiguous.
LAYOUTS: list[tuple[str, str, datetime]] = [
    ("android-en-gb-24h", "13/03/2024, 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-en-us-12h-nnbsp", f"3/13/24, 9:15{NNBSP}PM - ", datetime(2024, 3, 13, 21, 15)),
    ("android-en-lower-am", "13/03/2024, 9:15 am - ", datetime(2024, 3, 13, 9, 15)),
    ("android-en-a.m.", "13/03/2024, 9:15 p.m. - ", datetime(2024, 3, 13, 21, 15)),
    ("android-es-p.-m.-nbsp", f"13/3/24, 9:15{NNBSP}p.{NBSP}m. - ", datetime(2024, 3, 13, 21, 15)),
    ("ios-es-a.-m.", "[13/3/24, 9:15:07 a. m.] ", datetime(2024, 3, 13, 9, 15, 7)),
    ("ios-en-us-12h", f"[3/13/24, 12:15:07{NNBSP}AM] ", datetime(2024, 3, 13, 0, 15, 7)),
    ("ios-24h-no-comma", "[13/03/2024 21:15:07] ", datetime(2024, 3, 13, 21, 15, 7)),
    ("ios-old-colon-tail", "13/03/2024 21:15:07: ", datetime(2024, 3, 13, 21, 15, 7)),
    ("android-de-dots", "13.03.24, 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-de-12h-nachm", "13.03.24, 9:15 nachm. - ", datetime(2024, 3, 13, 21, 15)),
    ("ios-de-dots", "[13.03.24, 21:15:07] ", datetime(2024, 3, 13, 21, 15, 7)),
    ("android-ru", "13.03.2024, 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-cs-spaced-dots", "13. 3. 2024 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-nl-dashes-no-comma", "13-03-2024 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-pt-br-no-comma", "13/03/2024 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-fr-a", "13/03/2024 à 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-fi-klo-dotted-clock", "13.3.2024 klo 21.15 - ", datetime(2024, 3, 13, 21, 15)),
    ("ios-fi-klo-dotted-seconds", "[13.3.2024 klo 21.15.07] ", datetime(2024, 3, 13, 21, 15, 7)),
    ("android-fr-ca-h", "2024-03-13 21 h 15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-sv-ymd-em", "2024-03-13 9:15 em - ", datetime(2024, 3, 13, 21, 15)),
    ("android-ymd-dashes", "2024-03-13, 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-ymd-slash-dot-after-time", "2022/12/14, 13:34. - ", datetime(2022, 12, 14, 13, 34)),
    ("ios-ymd-slashes", "[2024/03/13 21:15:07] ", datetime(2024, 3, 13, 21, 15, 7)),
    ("android-ja-24h", "2024/03/13 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("ios-ja-gogo", "[2024/03/13 午後9:15:07] ", datetime(2024, 3, 13, 21, 15, 7)),
    ("android-zh-xiawu", "2024/3/13 下午9:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-zh-zhongwu", "2024/3/13 中午12:30 - ", datetime(2024, 3, 13, 12, 30)),
    ("android-zh-lingchen", "2024/3/13 凌晨12:05 - ", datetime(2024, 3, 13, 0, 5)),
    ("android-zh-zaoshang", "2024/3/13 早上8:40 - ", datetime(2024, 3, 13, 8, 40)),
    ("android-zh-shangwu", "2024/3/13 上午11:40 - ", datetime(2024, 3, 13, 11, 40)),
    ("android-zh-wanshang", "2024/3/13 晚上9:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-da-kl", "13.03.2024 kl. 21.15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-de-12h-vorm", "13.03.24, 9:15 vorm. - ", datetime(2024, 3, 13, 9, 15)),
    ("android-ko", "2024. 3. 13. 오후 9:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("ios-ko", "[2024. 3. 13. 오전 9:15:07] ", datetime(2024, 3, 13, 9, 15, 7)),
    ("android-ko-short-year", "24. 3. 13. 오후 9:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-ko-short-year-ambiguous", "24. 3. 1. 오후 9:15 - ", datetime(2024, 3, 1, 21, 15)),
    ("android-hr-day-first-dot", "13. 03. 2024. 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-sr-day-first-dot", "13.3.24. 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-hu-du", "2024. 03. 13. du. 9:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-el", "13/3/24, 9:15 μ.μ. - ", datetime(2024, 3, 13, 21, 15)),
    ("android-vi-ch", "13/3/24, 9:15 CH - ", datetime(2024, 3, 13, 21, 15)),
    ("android-tr-os", "13.03.2024 9:15 ÖS - ", datetime(2024, 3, 13, 21, 15)),
    ("android-ar-digits-rlm",
     "\u0661\u0663\u200f/\u0663\u200f/\u0662\u0660\u0662\u0664\u060c \u0669:\u0661\u0665 "
     "\u0645 - ", datetime(2024, 3, 13, 21, 15)),
    ("ios-ar-digits-sabah",
     "[\u0661\u0663/\u0663/\u0662\u0660\u0662\u0664\u060c \u0669:\u0661\u0665:\u0660\u0667 "
     "\u0635] ", datetime(2024, 3, 13, 9, 15, 7)),
    ("android-persian-digits-gregorian", "\u06f1\u06f3/\u06f0\u06f3/\u06f2\u06f0\u06f2\u06f4، "
     "\u06f2\u06f1:\u06f1\u06f5 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-th-buddhist-era", "13/3/2567 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-th-buddhist-era-short", "13/3/67 21:15 - ", datetime(2024, 3, 13, 21, 15)),
    ("android-en-dash-tail", "13/03/2024, 21:15 \u2013 ", datetime(2024, 3, 13, 21, 15)),
    ("android-rtl-marks-around", f"\u200f13/03/2024, 21:15{LRM} - ", datetime(2024, 3, 13, 21, 15)),
]


@pytest.mark.parametrize(("header", "ts"), [r[1:] for r in LAYOUTS], ids=[r[0] for r in LAYOUTS])
def test_date_and_time_layouts(tmp_path: Path, header: str, ts: datetime) -> None:
    msg = only(tmp_path, f"{header}Ana: oi\nsegunda linha\n")
    assert msg.timestamp == ts
    assert msg.author is not None and msg.author.key == "Ana"
    assert msg.text == "oi\nsegunda linha"
    assert "date_order_assumed" not in msg.extra
    assert (msg.locator.line_start, msg.locator.line_end) == (1, 2)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("13/03/2024, 13:15 PM - ", "over 12"),
        ("\u06f1\u06f4\u06f0\u06f2/\u06f1\u06f2/\u06f2\u06f3، \u06f2\u06f1:\u06f1\u06f5 - ",
         "Solar Hijri"),
        ("31/02/2024, 21:15 - ", "day is out of range"),
    ],
    ids=["pm-hour-over-12", "solar-hijri", "31-february"],
)
def test_impossible_layout_values_are_record_errors(tmp_path: Path, header: str, why: str) -> None:
    content = f"13/03/2024, 21:14 - Ana: antes\n{header}Ana: oi\n13/03/2024, 21:16 - Ana: depois\n"
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp")
    assert [m.text for m in msgs] == ["antes", "depois"]
    assert [e.where for e in errors] == ["line 2"]
    assert why in errors[0].message


# One realistic chat per layout family: (file, user messages, system events, first and last
# time, (index, text) of a multi-line message).
LAYOUT_FIXTURES: list[tuple[str, int, int, datetime, datetime, tuple[int, str]]] = [
    ("WhatsApp Chat with Rede Xingu Viva.txt", 6, 4, datetime(2022, 12, 14, 13, 34),
     datetime(2022, 12, 15, 8, 5),
     (8, "Registrei o B.O. na delegacia.\nProtocolo 2022/771, 15/12/2022.")),
    ("WhatsApp-Chat mit Netzwerk Pressefreiheit.txt", 5, 1, datetime(2024, 3, 13, 21, 15, 7),
     datetime(2024, 3, 14, 8, 1, 45),
     (4, "Die Anwältin meldet sich heute.\nTermin: Freitag, 10:00 Uhr")),
    ("与 维权律师群 的 WhatsApp 聊天.txt", 5, 1, datetime(2024, 3, 13, 21, 15),
     datetime(2024, 3, 14, 12, 30), (5, "律师下午两点有空，\n我们在事务所见。")),
    ("WhatsApp Chat with 인권지킴이.txt", 3, 1, datetime(2024, 3, 13, 21, 15),
     datetime(2024, 3, 14, 8, 2),
     (1, '오늘 또 협박 메시지를 받았습니다.\n"기사 내리지 않으면 후회할 거다"\n'
         "발신 번호는 지난번과 같습니다.")),
    ("دردشة واتساب مع شبكة المدافعات.txt", 4, 1, datetime(2024, 3, 13, 21, 15),
     datetime(2024, 3, 14, 12, 30),
     (1, 'وصلتني رسالة تهديد جديدة:\n"توقفي عن الكتابة عن السجون"\nمن نفس الرقم.')),
    ("Discussion WhatsApp avec Collectif Vigilance.txt", 4, 1, datetime(2024, 3, 13, 21, 15),
     datetime(2024, 3, 14, 8, 31),
     (1, "Encore un message anonyme ce soir :\n« On sait où tu gares ta voiture. »\n"
         "Même numéro que lundi.")),
]


@pytest.mark.parametrize(
    ("name", "users", "events", "first", "last", "multi"), LAYOUT_FIXTURES,
    ids=["ymd-dot-after-time", "de-ios-dots", "zh-marker-first", "ko-ymd-dotted",
         "ar-digits-rtl", "fr-a-between"],
)
def test_layout_family_fixtures(
    name: str, users: int, events: int, first: datetime, last: datetime,
    multi: tuple[int, str],
) -> None:
    fmt, msgs, errors = parse(WA / name)
    assert fmt == "whatsapp" and not errors
    assert len(user_messages(msgs)) == users and len(msgs) - users == events
    assert msgs[0].kind is MessageKind.SYSTEM and msgs[0].extra["event"] == "encryption"
    assert (msgs[0].timestamp, msgs[-1].timestamp) == (first, last)
    assert msgs[multi[0]].text == multi[1]
    assert all("date_order_assumed" not in m.extra for m in msgs)
    for m in msgs:  # no header swallowed by the message before it
        assert not any(HEADER.match(line) for line in m.text.split("\n"))


def test_portuguese_android_fixture() -> None:
    fmt, msgs, errors = parse(WA / "Conversa do WhatsApp com +55 11 91234-5678.txt")
    assert fmt == "whatsapp" and not errors
    assert {m.conversation_key for m in msgs} == {"+55 11 91234-5678"}
    assert [m.kind for m in msgs].count(MessageKind.SYSTEM) == 2
    threat = msgs[2]
    assert threat.text.endswith("Pensa bem antes de publicar a segunda parte.")
    assert (threat.locator.line_start, threat.locator.line_end) == (3, 5)
    assert "date_order_assumed" not in threat.extra  # 13/03/2024 settles day first
    assert msgs[-1].timestamp == datetime(2024, 3, 13, 7, 3)
    users = user_messages(msgs)
    assert {m.author.key for m in users if m.author} == {"+55 11 91234-5678", "Ana Souza"}


def test_spanish_group_fixture_infers_day_first_from_last_line() -> None:
    fmt, msgs, errors = parse(WA / "Chat de WhatsApp con Voces del Río.txt")
    assert fmt == "whatsapp" and not errors
    assert msgs[0].timestamp == datetime(2024, 3, 4, 18, 2)  # 4/3 read as 4 March
    assert msgs[-1].timestamp == datetime(2024, 3, 14, 9, 30)
    assert all("date_order_assumed" not in m.extra for m in msgs)
    events = [m.extra["event"] for m in msgs if m.kind is MessageKind.SYSTEM]
    assert events == [
        "encryption", "created", "added", "joined", "joined", "removed", "subject", "left",
    ]
    assert msgs[0].conversation_key == "Voces del Río"
    troll = [m for m in msgs if m.author and m.author.key == "+57 300 1234567"]
    assert [m.text for m in troll] == ["Ustedes los del río siempre metiéndose donde no deben",
                                       "", ""]
    assert troll[1].attachments[0].omitted and troll[2].extra["deleted"]


def test_ios_zip_links_media_members() -> None:
    path = WA / "WhatsApp Chat - Defenders Network.zip"
    fmt, msgs, errors = parse(path)
    assert fmt == "whatsapp" and not errors
    assert {m.conversation_key for m in msgs} == {"Defenders Network"}
    assert {m.locator.member for m in msgs} == {"_chat.txt"}
    attached = [a for m in msgs for a in m.attachments]
    photo, audio, missing, image, dossier = attached
    assert photo.member == "00000012-PHOTO-2024-03-12-21-15-07.jpg" and photo.size
    assert audio.member == "00000013-AUDIO-2024-03-12-21-15-40.opus" and not audio.omitted
    assert missing.member is None and not missing.omitted
    assert image.omitted and dossier.omitted and dossier.name == "Dossier.pdf"
    assert msgs[0].timestamp == datetime(2024, 3, 12, 21, 10, 1)  # 3/12/24: month first
    threat = next(m for m in msgs if m.text.startswith("You should all"))
    assert threat.author is not None and threat.author.key == "+44 7700 900123"
    assert threat.author.handle == "+447700900123"
    assert threat.text == "You should all shut up.\nNobody will protect her."
    assert msgs[-1].extra.get("edited") is True
    src = open_source(path)
    try:
        assert WhatsAppImporter.sniff(src) == 0.95
    finally:
        src.close()


def test_android_zip_with_named_chat_and_media(tmp_path: Path) -> None:
    chat = (
        "14/03/2024, 10:00 - Ana Souza: IMG-20240314-WA0003.jpg (file attached)\n"
        "Ameaça recebida por DM\n"
        "14/03/2024, 10:01 - Ana Souza: PTT-20240314-WA0004.opus (file attached)\n"
        "14/03/2024, 10:02 - Ana Souza: <Media omitted>\n"
    )
    path = tmp_path / "WhatsApp Chat with Ana Souza.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Ana Souza.txt", chat)
        zf.writestr("IMG-20240314-WA0003.jpg", b"\xff\xd8fictional\xff\xd9")
        zf.writestr("PTT-20240314-WA0004.opus", b"OggSfictional")
    fmt, msgs, errors = parse(path)
    assert fmt == "whatsapp" and not errors
    assert [m.text for m in msgs] == ["Ameaça recebida por DM", "", ""]
    assert [m.attachments[0].member for m in msgs] == [
        "IMG-20240314-WA0003.jpg", "PTT-20240314-WA0004.opus", None,
    ]
    assert msgs[0].attachments[0].size == len(b"\xff\xd8fictional\xff\xd9")
    assert msgs[2].attachments[0].omitted
    assert {m.conversation_key for m in msgs} == {"Ana Souza"}
    assert {m.locator.member for m in msgs} == {"WhatsApp Chat with Ana Souza.txt"}


CR_CHAT = WA / "WhatsApp Chat with Land Defenders Caucus.txt"


def _reending(raw: bytes, between: tuple[bytes, ...]) -> bytes:
    """The lone-CR fixture with the endings before each header cycling through `between`;
    line breaks inside messages stay lone CRs (as typed on some phones)."""
    lines = raw.split(b"\r")[:-1]
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1].decode() if i + 1 < len(lines) else ""
        out.append(line + (between[i % len(between)] if not nxt or HEADER.match(nxt)
                           else b"\r"))
    return b"".join(out)


@pytest.mark.parametrize(
    "between", [(b"\r",), (b"\n",), (b"\r\n",), (b"\n", b"\r\n", b"\r")],
    ids=["lone-cr", "lf", "crlf", "mixed"],
)
def test_lone_cr_fixture_loses_and_merges_nothing(
    tmp_path: Path, between: tuple[bytes, ...]
) -> None:
    raw = CR_CHAT.read_bytes()
    assert b"\n" not in raw and raw.count(b"\r") == 94  # the fixture: lone CRs only
    path = tmp_path / CR_CHAT.name
    path.write_bytes(_reending(raw, between))
    fmt, msgs, errors = parse(path)
    assert fmt == "whatsapp" and not errors
    users = user_messages(msgs)
    assert (len(users), len(msgs) - len(users)) == (59, 12)
    assert [m.extra["event"] for m in msgs if m.kind is MessageKind.SYSTEM] == [
        "encryption", "created", "added", "joined", "subject", "icon", "description", "joined",
        "removed", "security_code", "joined", "left",
    ]
    # No header (nor a stray CR) ends up inside another message's text, and the messages
    # tile the file's 94 lines without a gap.
    for m in msgs:
        assert "\r" not in m.text
        assert not any(HEADER.match(line) for line in m.text.split("\n")), m.text
    spans = [(m.locator.line_start, m.locator.line_end) for m in msgs]
    assert spans[0][0] == 1 and spans[-1][1] == 94
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(spans))
    checklist = next(m for m in msgs if m.text.startswith("Checklist"))
    assert checklist.text == (
        "Checklist for everyone:\n1. screenshot with the date and URL visible\n"
        "2. copy the link\n3. note the time: when you saw it\nSend here, I'll file them."
    )
    assert (checklist.locator.line_start, checklist.locator.line_end) == (19, 23)
    screenshot = msgs[5]
    assert screenshot.text == (
        'Screenshot from the page "Verdad Río Verde":\n\n"We know where the lawyer lives. '
        '14 Calle Sol."\n\nPosted at 11:40 PM, 300 shares so far.'
    )
    flyer = next(m for m in msgs if m.attachments and m.text)
    assert flyer.text == "The flyer they taped on my door this morning"
    assert flyer.attachments[0].name == "IMG-20240314-WA0012.jpg"
    assert msgs[0].timestamp == datetime(2024, 3, 14, 18, 2)  # 3/14/24: month first
    assert msgs[-1].timestamp == datetime(2024, 3, 15, 17, 53)
    assert {m.conversation_key for m in msgs} == {"Land Defenders Caucus"}


def _ambiguous_lines(n: int) -> str:
    return "".join(
        f"{1 + i % 12:02d}/{1 + i % 12:02d}/2024, 08:{i % 60:02d} - Ana Souza: mensagem {i}\n"
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("late_line", "first_ts"),
    [
        ("25/12/2024, 23:59 - Ana Souza: feliz natal?\n", datetime(2024, 1, 2, 8, 0)),
        ("12/25/2024, 23:59 - Ana Souza: merry christmas?\n", datetime(2024, 2, 1, 8, 0)),
    ],
    ids=["day-first", "month-first"],
)
def test_date_order_inferred_from_a_late_line(
    tmp_path: Path, late_line: str, first_ts: datetime
) -> None:
    # 3,000 lines where day and month are equal cannot tell; only the last one settles it.
    content = "02/01/2024, 08:00 - Ana Souza: primeira\n" + _ambiguous_lines(3000) + late_line
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp")
    assert not errors
    assert len(msgs) == 3002
    assert msgs[0].timestamp == first_ts
    assert msgs[-1].timestamp == datetime(2024, 12, 25, 23, 59)
    assert not any("date_order_assumed" in m.extra for m in msgs)


@pytest.mark.parametrize(
    ("day_first", "expected", "assumed"),
    [
        (None, datetime(2024, 3, 4, 9, 0), True),
        (True, datetime(2024, 3, 4, 9, 0), False),
        (False, datetime(2024, 4, 3, 9, 0), False),
    ],
)
def test_ambiguous_file_uses_day_first_option(
    tmp_path: Path, day_first: bool | None, expected: datetime, assumed: bool
) -> None:
    content = "04/03/2024, 09:00 - Ana Souza: quando?\n05/03/2024, 09:01 - Ana Souza: hoje\n"
    _, msgs, _ = parse(write(tmp_path, content), "whatsapp", ImportOptions(day_first=day_first))
    assert msgs[0].timestamp == expected
    assert all(m.extra.get("date_order_assumed", False) is assumed for m in msgs)


def test_file_evidence_beats_day_first_option(tmp_path: Path) -> None:
    content = "04/03/2024, 09:00 - Ana: a\n04/13/2024, 09:00 - Ana: b\n"
    _, msgs, _ = parse(write(tmp_path, content), "whatsapp", ImportOptions(day_first=True))
    assert [m.timestamp for m in msgs] == [datetime(2024, 4, 3, 9), datetime(2024, 4, 13, 9)]


@pytest.mark.parametrize(
    "cut",
    ["13/03/2024, 21:1", "13/03/2024, 9:15 p. m", "2024/3/13 下午9:1", "2024. 3. 13. 오후 9",
     "13/03/2024 à 2", "[13.03.24, 21:16:"],
    ids=["android", "es-12h", "zh-marker", "ko", "fr-a", "ios"],
)
def test_truncated_last_header_is_reported(tmp_path: Path, cut: str) -> None:
    content = f"13/03/2024, 21:15 - Ana Souza: primeira\nsegunda linha\n{cut}"
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp")
    assert [m.text for m in msgs] == ["primeira\nsegunda linha"]
    assert (msgs[0].locator.line_start, msgs[0].locator.line_end) == (1, 2)
    assert [e.where for e in errors] == ["line 3"]
    assert "truncated" in errors[0].message


def test_truncated_last_message_keeps_what_is_there(tmp_path: Path) -> None:
    content = "13/03/2024, 21:15 - Ana Souza: ok\n13/03/2024, 21:16 - +55 11 91234-5678: Você v"
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp")
    assert not errors
    assert [m.text for m in msgs] == ["ok", "Você v"]


@pytest.mark.parametrize("content", ["", "\n\n", "   \n"], ids=["empty", "newlines", "blank"])
def test_empty_file_is_rejected(tmp_path: Path, content: str) -> None:
    with pytest.raises(ImportRejected, match="empty"):
        parse(write(tmp_path, content), "whatsapp")


def test_non_whatsapp_text_sniffs_low_and_is_rejected(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "Dear editor,\nOn 12/03/2024 at 21:15 I received threats.\nRegards, Ana\n",
        "letter.txt",
    )
    src = open_source(p)
    try:
        assert WhatsAppImporter.sniff(src) < 0.5
    finally:
        src.close()
    with pytest.raises(ImportRejected, match="no WhatsApp message header"):
        parse(p, "whatsapp")


def test_detected_over_generic(tmp_path: Path) -> None:
    p = write(tmp_path, "13/03/2024, 21:15 - Ana Souza: oi\n", "export.txt")
    src = open_source(p)
    try:
        assert detect_format(src) is WhatsAppImporter
    finally:
        src.close()


def test_text_before_first_header_is_a_record_error(tmp_path: Path) -> None:
    content = "exported by a backup tool\n\n13/03/2024, 21:15 - Ana Souza: oi\n"
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp")
    assert [m.text for m in msgs] == ["oi"]
    assert [e.where for e in errors] == ["line 1"]


def test_impossible_date_is_a_record_error(tmp_path: Path) -> None:
    content = (
        "13/03/2024, 21:15 - Ana Souza: oi\n"
        "31/02/2024, 21:16 - Ana Souza: fevereiro?\ncontinuação\n"
        "14/03/2024, 08:00 - Ana Souza: bom dia\n"
    )
    _, msgs, errors = parse(write(tmp_path, content), "whatsapp")
    assert [m.text for m in msgs] == ["oi", "bom dia"]
    assert [e.where for e in errors] == ["line 2"]
    assert "day/month/year" in errors[0].message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "chat.txt"
    p.write_text("13/03/2024, 21:15 - Marisol Quispe: ¡Cállate, activista!\n", encoding=encoding)
    _, msgs, _ = parse(p, "whatsapp")
    assert msgs[0].text == "¡Cállate, activista!"
    assert msgs[0].author is not None and msgs[0].author.key == "Marisol Quispe"


def test_invalid_bytes_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "chat.txt"
    p.write_bytes(
        "13/03/2024, 21:15 - Ana: oi\n13/03/2024, 21:16 - Ana: ol\xe1\n".encode("latin-1")
    )
    with pytest.raises(ImportRejected, match="line 2"):
        parse(p, "whatsapp")


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("WhatsApp Chat with Ana Souza.txt", "Ana Souza"),
        ("WhatsApp Chat - Defenders Network.zip", "Defenders Network"),
        ("Chat de WhatsApp con Voces del Río.txt", "Voces del Río"),
        ("Conversa do WhatsApp com +55 11 91234-5678.txt", "+55 11 91234-5678"),
        ("WhatsApp Chat with Ana Souza (1).txt", "Ana Souza"),
        ("evidencia-marzo.txt", "evidencia-marzo"),
    ],
)
def test_chat_title(name: str, title: str) -> None:
    assert chat_title(name) == title


SAFE_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
        "\u2068\u2069\ufeff",
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(SAFE_TEXT, min_size=1, max_size=3),
    ios=st.booleans(),
    author=st.sampled_from(["Ana Souza", "+55 11 91234-5678", "Marisol Quispe", "Tom"]),
)
def test_message_text_round_trips(lines: list[str], ios: bool, author: str) -> None:
    from amparo.ingest.whatsapp.patterns import _DELETED, _EDITED, _MEDIA, _MEDIA_TAILS

    first = lines[0]
    assume(not (first.endswith(_MEDIA_TAILS) and _MEDIA.fullmatch(first)))
    assume(len(lines) > 1 or first not in _DELETED)
    assume(not _EDITED.search(lines[-1]))
    assume(all(not HEADER.match(ln) for ln in lines[1:]))
    assume(lines[-1].strip() != "" or len(lines) == 1)
    text = "\n".join(lines)
    header = "[13/03/2024, 21:15:07] " if ios else "13/03/2024, 21:15 - "
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "chat.txt"
        p.write_text(f"{header}{author}: {text}\n", encoding="utf-8")
        _, msgs, errors = parse(p, "whatsapp")
    assert not errors
    assert len(msgs) == 1
    assert msgs[0].text == text
    assert msgs[0].author is not None and msgs[0].author.key == author
    assert msgs[0].kind is MessageKind.USER


@pytest.mark.parametrize(
    ("content", "day_first", "expected"),
    [
        ("04/03/2024, 09:00 - Ana: a\n05/03/2024, 09:01 - Ana: b\n", None,
         ("day/month/year", "assumed", "every date in the chat reads both ways")),
        ("04/03/2024, 09:00 - Ana: a\n05/03/2024, 09:01 - Ana: b\n", False,
         ("month/day/year", "given", "given by the caseworker")),
        ("04/03/2024, 09:00 - Ana: a\n04/13/2024, 09:00 - Ana: b\n", None,
         ("month/day/year", "inferred", "line 2 ('04/13/2024, 09:00') can only be")),
        ("04/03/2024, 09:00 - Ana: a\n04/13/2024, 09:00 - Ana: b\n", True,
         ("month/day/year", "inferred", "does not fit it, not used")),
    ],
    ids=["assumed", "given", "inferred", "inferred-over-option"],
)
def test_the_date_order_decision_is_reported(
    tmp_path: Path, content: str, day_first: bool | None, expected: tuple[str, str, str]
) -> None:
    """How the day/month order was settled is reported with the import, not only hidden in
    each message's extras."""
    path = write(tmp_path, content)
    importer = WhatsAppImporter()
    list(importer.parse(open_source(path), ImportOptions(day_first=day_first)))
    [note] = importer.assumptions
    value, basis, detail = expected
    assert (note.file, note.topic, note.value, note.basis) == (path.name, "date_order", value,
                                                               basis)
    assert detail in note.detail


def test_year_first_dates_need_no_assumption(tmp_path: Path) -> None:
    importer = WhatsAppImporter()
    list(importer.parse(open_source(write(tmp_path, "2024-03-04, 09:00 - Ana: a\n")),
                        ImportOptions()))
    assert importer.assumptions == []
