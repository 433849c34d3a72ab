"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), HMAC-SHA1, 6 digits, 30 s.

Small enough to own, and tested against the RFC's published vectors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
# Codes from the step before and after are accepted too (clock drift of the phone).
WINDOW = 1


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_of(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float) -> str:
    return hotp(_key(secret), step_of(unix_time))


def matching_step(secret: str, code: str, unix_time: float) -> int | None:
    """The time step whose code equals `code` within the drift window, else None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    now = step_of(unix_time)
    found = None
    for step in range(max(0, now - WINDOW), now + WINDOW + 1):
        # Compare every candidate (no early exit) so timing does not say which one matched.
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def provisioning_uri(secret: str, username: str, issuer: str = "Amparo") -> str:
    label = quote(f"{issuer}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}" \
           f"&period={STEP_SECONDS}"


def format_secret(secret: str) -> str:
    """Groups of four, easier to type into a phone."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def hash_recovery_code(code: str) -> str:
    # Recovery codes are 50+ random bits, so a fast hash is enough (no dictionary to try).
    normal = code.strip().replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(count: int = 10) -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes
