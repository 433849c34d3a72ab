"""Encryption at rest: a chunked AES-256-GCM stream format for vault blobs, and small sealed
values (the defender's watchlist). Keys come from `keys.py`.

Blob format, version 1 (all integers big-endian):

    magic "AMPV" | version 1 (1 byte) | algorithm 1 = AES-256-GCM (1 byte)
    | chunk size (4 bytes) | nonce prefix (7 random bytes)
    then chunks: ciphertext of up to `chunk size` bytes + 16-byte tag

Chunk i uses nonce = prefix | i (4 bytes) | 1 if last else 0, and the header as associated
data (the STREAM construction), so reordering, truncating or extending a blob, or editing its
header, fails authentication.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amparo.errors import AmparoError

MAGIC = b"AMPV"
VERSION = 1
ALG_AES256GCM = 1
CHUNK_SIZE = 1 << 20
TAG_SIZE = 16
_HEADER = struct.Struct(">4sBBI7s")
HEADER_SIZE = _HEADER.size
SEALED_PREFIX = b"AMPS\x01"


class IntegrityError(AmparoError):
    """Encrypted data failed authentication or is malformed."""


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 1 << 32:
        raise ValueError("blob too large for this format")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def encrypt_stream(key: bytes, source: IO[bytes], sink: IO[bytes]) -> Iterator[bytes]:
    """Encrypt `source` into `sink`, yielding each plaintext chunk so the caller can hash it
    in the same pass."""
    aead = AESGCM(key)
    header = _HEADER.pack(MAGIC, VERSION, ALG_AES256GCM, CHUNK_SIZE, os.urandom(7))
    prefix = header[-7:]
    sink.write(header)
    index = 0
    chunk = source.read(CHUNK_SIZE)
    while True:
        following = source.read(CHUNK_SIZE) if len(chunk) == CHUNK_SIZE else b""
        last = not following
        sink.write(aead.encrypt(_nonce(prefix, index, last), chunk, header))
        yield chunk
        if last:
            return
        chunk = following
        index += 1


def decrypt_stream(key: bytes, source: IO[bytes]) -> Iterator[bytes]:
    """Yield plaintext chunks; raise IntegrityError on any tampering."""
    header = source.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE:
        raise IntegrityError("blob header is truncated")
    magic, version, alg, chunk_size, prefix = _HEADER.unpack(header)
    if magic != MAGIC:
        raise IntegrityError("not an Amparo vault blob (bad magic)")
    if version != VERSION or alg != ALG_AES256GCM:
        raise IntegrityError(f"unsupported blob version {version} / algorithm {alg}")
    if chunk_size != CHUNK_SIZE:
        raise IntegrityError("blob header has an unexpected chunk size")
    aead = AESGCM(key)
    index = 0
    sealed = source.read(chunk_size + TAG_SIZE)
    while True:
        following = source.read(chunk_size + TAG_SIZE) if len(sealed) == chunk_size + TAG_SIZE \
            else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), sealed, header)
        except InvalidTag:
            raise IntegrityError(f"chunk {index} failed authentication") from None
        if last:
            return
        sealed = following
        index += 1


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt a small value; `context` binds it to its purpose (e.g. b"watchlist:12")."""
    nonce = os.urandom(12)
    return SEALED_PREFIX + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    if not sealed.startswith(SEALED_PREFIX):
        raise IntegrityError("sealed value has an unknown format")
    body = sealed[len(SEALED_PREFIX) :]
    try:
        return AESGCM(key).decrypt(body[:12], body[12:], context)
    except InvalidTag:
        raise IntegrityError("sealed value failed authentication") from None
