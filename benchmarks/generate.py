"""Synthetic exports for the import benchmarks: a WhatsApp chat of N messages and an mbox of
about N megabytes. Deterministic (seeded) and streamed to disk, so any size fits in memory."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.header import Header
from pathlib import Path

TEXTS = (
    "Bom dia a todos, reunião às 15h na sede da associação",
    "Vamos te achar, sua ladra de terras",
    "¿Alguien tiene el contacto de la abogada de la red?",
    "She is paid by foreign NGOs, everybody knows it",
    "Sabemos onde sua filha estuda 👀",
    "Gracias por el apoyo, compañeras 💚",
    "Please share the statement from the network: https://example.org/statement",
    "Cuidado com esse link, é golpe: http://whatsapp-seguranca.net/verificar",
    "Nous sommes solidaires avec Marina et sa communauté",
    "Se continuar falando vai aparecer no rio",
)
NAMES = [f"Contato {i}" for i in range(150)] + [f"+55 91 9{i:04d}-{i * 7 % 10000:04d}"
                                                for i in range(50)]


def whatsapp(path: Path, messages: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    t = datetime(2025, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("01/01/2025, 08:00 - Messages and calls are end-to-end encrypted. "
                 "No one outside of this chat, not even WhatsApp, can read or listen to them.\n")
        for i in range(messages):
            t += timedelta(seconds=rng.randrange(0, 40))
            stamp = t.strftime("%d/%m/%Y, %H:%M")
            name = NAMES[rng.randrange(len(NAMES))]
            roll = rng.random()
            if roll < 0.02:
                body = "<Media omitted>"
            elif roll < 0.07:
                body = f"{rng.choice(TEXTS)}\n{rng.choice(TEXTS)}\n— enviado {i}"
            else:
                body = f"{rng.choice(TEXTS)} #{i}"
            fh.write(f"{stamp} - {name}: {body}\n")


def mbox(path: Path, megabytes: int, seed: int = 2, mozilla: bool = False) -> int:
    """Write an mbox of about `megabytes` MB; returns the number of messages. `mozilla`
    writes it as Thunderbird does: ``From - date`` lines with X-Mozilla-Status headers, each
    straight after the previous message's last line (no blank line between)."""
    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    t = datetime(2025, 1, 1, 8, 0)
    count = 0
    with path.open("wb") as fh:
        while fh.tell() < target:
            t += timedelta(minutes=rng.randrange(1, 90))
            subject = Header(f"Aviso {count}: {rng.choice(TEXTS)[:40]}", "utf-8").encode()
            body = "\n".join(rng.choice(TEXTS) for _ in range(rng.randrange(5, 60)))
            envelope = "-" if mozilla else f"sender{count % 300}@example.com"
            msg = (
                f"From {envelope} {t:%a %b %d %H:%M:%S %Y}\n"
                + ("X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n" if mozilla else "")
                + f"From: Remetente {count % 300} <sender{count % 300}@example.com>\n"
                f"To: marina@example.org\n"
                f"Subject: {subject}\n"
                f"Date: {t:%a, %d %b %Y %H:%M:%S} -0300\n"
                f"Message-ID: <{count}.{seed}@example.com>\n"
                "MIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n"
                f"{body}\n"
                + ("" if mozilla else "\n")
            )
            fh.write(msg.encode("utf-8"))
            count += 1
    return count
