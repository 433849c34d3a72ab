"""The vault key: where it comes from, and how a wrong one is noticed.

Three modes, recorded in `$AMPARO_HOME/keyring.json` (which holds no secret):
- `passphrase`: the key is derived with Argon2id from `AMPARO_PASSPHRASE` (salt and costs
  in the keyring file);
- `keyfile`: 32 random bytes in a file named by `AMPARO_KEY_FILE`, which must live outside the
  workspace (on a separate device, in a secrets store);
- `insecure-demo`: the key sits in `$AMPARO_HOME/INSECURE-DEMO-KEY`, beside the data. It exists
  for the demo and tests only; every command warns while it is in use.

The keyring holds a check value (a known plaintext sealed with the key) so that a wrong
passphrase or key file is reported as such, instead of as tampered evidence.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from amparo.errors import AmparoError
from amparo.store.crypto import IntegrityError, seal, unseal

KEYRING = "keyring.json"
DEMO_KEY = "INSECURE-DEMO-KEY"
KEY_BYTES = 32
_CHECK = b"amparo vault key check v1"


class VaultKeyError(AmparoError):
    """The key is missing, wrong, or kept in a forbidden place."""


@dataclass(frozen=True)
class KeyParams:
    mode: str
    salt: bytes | None = None
    memory_kib: int = 0
    time_cost: int = 0
    parallelism: int = 1


def derive(passphrase: str, params: KeyParams) -> bytes:
    assert params.salt is not None
    return hash_secret_raw(
        passphrase.encode("utf-8"), params.salt, time_cost=params.time_cost,
        memory_cost=params.memory_kib, parallelism=params.parallelism,
        hash_len=KEY_BYTES, type=Type.ID,
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def create_key(
    home: Path,
    *,
    mode: str,
    passphrase: str | None = None,
    key_file: Path | None = None,
    memory_kib: int = 256 * 1024,
    time_cost: int = 3,
) -> bytes:
    """Create the workspace's key material and keyring; returns the key."""
    params = KeyParams(mode=mode)
    if mode == "passphrase":
        if not passphrase or len(passphrase) < 12:
            raise VaultKeyError("the passphrase must be at least 12 characters long")
        params = KeyParams(mode, os.urandom(16), memory_kib, time_cost, 1)
        key = derive(passphrase, params)
    elif mode == "keyfile":
        if key_file is None:
            raise VaultKeyError("keyfile mode needs AMPARO_KEY_FILE or --key-file")
        if _inside(key_file, home):
            raise VaultKeyError(
                f"{key_file} is inside the workspace {home}: keep the key away from the data"
            )
        if key_file.exists():
            key = _read_key_file(key_file)
        else:
            key = os.urandom(KEY_BYTES)
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
    elif mode == "insecure-demo":
        key = os.urandom(KEY_BYTES)
        fd = os.open(home / DEMO_KEY, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    else:
        raise VaultKeyError(f"unknown key mode {mode!r}")
    keyring = {
        "version": 1,
        "mode": mode,
        "check": base64.b64encode(seal(key, _CHECK, b"keycheck")).decode(),
    }
    if params.salt is not None:
        keyring["kdf"] = {
            "algorithm": "argon2id",
            "salt": base64.b64encode(params.salt).decode(),
            "memory_kib": params.memory_kib,
            "time_cost": params.time_cost,
            "parallelism": params.parallelism,
        }
    (home / KEYRING).write_text(json.dumps(keyring, indent=2) + "\n", encoding="utf-8")
    return key


def _read_key_file(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise VaultKeyError(f"cannot read key file {path}: {exc.strerror}") from exc
    if len(key) != KEY_BYTES:
        raise VaultKeyError(f"key file {path} must hold exactly {KEY_BYTES} bytes")
    return key


def _keyring(home: Path) -> dict[str, Any]:
    path = home / KEYRING
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VaultKeyError(f"{home} has no {KEYRING}: run 'amparo init' first") from None
    except OSError as exc:
        raise VaultKeyError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:  # not JSON, or not UTF-8
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("mode"), str):
        raise VaultKeyError(f"{path} is damaged (not the keyring Amparo wrote); restore it "
                            "from a backup")
    return data


def key_mode(home: Path) -> str:
    return str(_keyring(home)["mode"])


def load_key(home: Path, *, passphrase: str | None, key_file: Path | None) -> bytes:
    """Recover the key for an existing workspace and check it against the keyring."""
    data = _keyring(home)
    try:
        return _load_key(home, data, passphrase, key_file)
    except (KeyError, TypeError, ValueError):  # a field missing or mangled
        raise VaultKeyError(f"{home / KEYRING} is damaged (a field is missing or malformed); "
                            "restore it from a backup") from None


def _load_key(home: Path, data: dict[str, Any], passphrase: str | None,
              key_file: Path | None) -> bytes:
    mode = data["mode"]
    if mode == "passphrase":
        if not passphrase:
            raise VaultKeyError(
                "this workspace is protected by a passphrase: set AMPARO_PASSPHRASE"
            )
        kdf = data["kdf"]
        params = KeyParams(
            mode, base64.b64decode(kdf["salt"]), int(kdf["memory_kib"]),
            int(kdf["time_cost"]), int(kdf["parallelism"]),
        )
        key = derive(passphrase, params)
    elif mode == "keyfile":
        if key_file is None:
            raise VaultKeyError("this workspace's key is in a key file: set AMPARO_KEY_FILE")
        key = _read_key_file(key_file)
    elif mode == "insecure-demo":
        key = _read_key_file(home / DEMO_KEY)
    else:
        raise VaultKeyError(f"unknown key mode {mode!r} in {KEYRING}")
    try:
        unseal(key, base64.b64decode(data["check"]), b"keycheck")
    except IntegrityError:
        raise VaultKeyError("wrong passphrase or key file for this workspace") from None
    return key
