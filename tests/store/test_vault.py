from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.store import crypto
from amparo.store.crypto import IntegrityError, decrypt_stream, encrypt_stream
from amparo.store.vault import Vault

KEY = bytes(range(32))


def encrypt(data: bytes, key: bytes = KEY) -> bytes:
    sink = io.BytesIO()
    for _ in encrypt_stream(key, io.BytesIO(data), sink):
        pass
    return sink.getvalue()


def decrypt(blob: bytes, key: bytes = KEY) -> bytes:
    return b"".join(decrypt_stream(key, io.BytesIO(blob)))


@given(st.binary(max_size=3000))
@settings(max_examples=50)
def test_round_trip(data: bytes) -> None:
    assert decrypt(encrypt(data)) == data


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK_SIZE, crypto.CHUNK_SIZE + 1,
                                  3 * crypto.CHUNK_SIZE - 5])
def test_round_trip_across_chunk_boundaries(size: int) -> None:
    data = os.urandom(size)
    assert decrypt(encrypt(data)) == data


def two_chunk_blob() -> bytes:
    return encrypt(os.urandom(crypto.CHUNK_SIZE + 100))


def test_truncation_after_a_full_chunk_is_detected() -> None:
    blob = two_chunk_blob()
    cut = blob[: crypto.HEADER_SIZE + crypto.CHUNK_SIZE + crypto.TAG_SIZE]
    with pytest.raises(IntegrityError):
        decrypt(cut)


def test_appended_bytes_are_detected() -> None:
    with pytest.raises(IntegrityError):
        decrypt(encrypt(b"hello") + b"x")


def test_wrong_key_is_detected() -> None:
    with pytest.raises(IntegrityError):
        decrypt(encrypt(b"hello"), key=bytes(32))


def test_header_edit_is_detected() -> None:
    blob = bytearray(encrypt(b"hello"))
    blob[-crypto.TAG_SIZE - 6 - 7] ^= 1  # inside the random nonce prefix
    with pytest.raises(IntegrityError):
        decrypt(bytes(blob))
    with pytest.raises(IntegrityError, match="magic"):
        decrypt(b"XXXX" + bytes(blob[4:]))


def test_sealed_values_are_bound_to_context() -> None:
    sealed = crypto.seal(KEY, b"Rua das Flores 12", b"watchlist:1")
    assert crypto.unseal(KEY, sealed, b"watchlist:1") == b"Rua das Flores 12"
    with pytest.raises(IntegrityError):
        crypto.unseal(KEY, sealed, b"watchlist:2")


def test_recover_promotes_committed_and_removes_uncommitted(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "vault", KEY)
    vault.create()
    committed = vault.stage(io.BytesIO(b"committed original"))
    orphan = vault.stage(io.BytesIO(b"never committed"))
    done = vault.recover(known={committed.sha256})
    assert done.promoted == [committed.path.name] and done.discarded == [orphan.path.name]
    assert vault.read(committed.sha256) == b"committed original"
    assert not vault.has(orphan.sha256)
    assert not list(vault.staging.iterdir())
    # A blob nothing claims stays unless its deletion was committed: it may be the only copy
    # of evidence whose database rows were lost.
    assert not vault.recover(known=set())
    assert vault.has(committed.sha256)
    assert vault.recover(known=set(), deleted={committed.sha256}).removed == [committed.sha256]
    assert not vault.has(committed.sha256)


def test_vault_files_never_contain_plaintext(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "vault", KEY)
    vault.create()
    secret = b"Rua das Flores 12, apartamento 3"
    blob = vault.stage(io.BytesIO(secret * 10))
    vault.promote(blob)
    raw = vault.blob_path(blob.sha256).read_bytes()
    assert secret not in raw
    assert vault.check(blob.sha256) is None
