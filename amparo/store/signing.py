"""Signatures on the custody log's checkpoints and head file.

The hash chain alone can be rebuilt by anyone who can write to the database: recompute every
hash after an edit, or cut entries and rewrite `custody.head`. Checkpoints and the head are
therefore signed with Ed25519. The signing key is derived from the vault key (HKDF-SHA256 with
its own label, so a signature never reveals or reuses the vault key itself), which makes a
valid checkpoint impossible to produce without the key. The public key is not secret: it is
printed by `amparo custody export` so that an exported log can be checked elsewhere.

What is signed is a short ASCII text, documented in docs/evidence-integrity.md so the check can
be re-implemented:
    checkpoint:  "amparo-custody-checkpoint-v1:<seq>:<prev_hash>"
    head file:   "amparo-custody-head-v1:<seq>:<hash>"
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_LABEL = b"amparo custody signing key v1"


def checkpoint_message(seq: int, prev_hash: str) -> bytes:
    return f"amparo-custody-checkpoint-v1:{seq}:{prev_hash}".encode("ascii")


def head_message(seq: int, entry_hash: str) -> bytes:
    return f"amparo-custody-head-v1:{seq}:{entry_hash}".encode("ascii")


class CustodyKey:
    """The workspace's custody signing key, derived from its vault key."""

    def __init__(self, vault_key: bytes) -> None:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(vault_key)
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_hex = self._private.public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw).hex()

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()

    def valid(self, message: bytes, signature: str) -> bool:
        return signature_valid(self.public_hex, message, signature)


def signature_valid(public_hex: str, message: bytes, signature: str) -> bool:
    """True if `signature` (hex) is `public_hex`'s signature of `message`; False for any
    malformed input rather than an exception, since both come from files under attack."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(bytes.fromhex(signature), message)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
