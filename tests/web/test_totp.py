"""TOTP against the published vectors of RFC 4226 (HOTP) and RFC 6238 (TOTP), and the
behaviour around them: drift window, format of codes, recovery codes."""

from __future__ import annotations

import base64

import pytest

from amparo.accounts import totp

RFC4226_KEY = b"12345678901234567890"
RFC4226 = ["755224", "287082", "359152", "969429", "338314",
           "254676", "287922", "162583", "399871", "520489"]

# RFC 6238 Appendix B: time, SHA-1, SHA-256, SHA-512 (8 digits); keys are the ASCII seeds.
SEEDS = {"sha1": b"12345678901234567890",
         "sha256": b"12345678901234567890123456789012",
         "sha512": b"1234567890123456789012345678901234567890123456789012345678901234"}
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize("counter", range(10))
def test_hotp_rfc4226_vectors(counter: int) -> None:
    assert totp.hotp(RFC4226_KEY, counter) == RFC4226[counter]


@pytest.mark.parametrize(("t", "sha1", "sha256", "sha512"), RFC6238)
def test_totp_rfc6238_vectors(t: int, sha1: str, sha256: str, sha512: str) -> None:
    step = totp.step_of(t)
    assert totp.hotp(SEEDS["sha1"], step, digits=8) == sha1
    assert totp.hotp(SEEDS["sha256"], step, digits=8, digest="sha256") == sha256
    assert totp.hotp(SEEDS["sha512"], step, digits=8, digest="sha512") == sha512


def test_code_at_uses_the_base32_secret_like_an_authenticator_app() -> None:
    secret = base64.b32encode(RFC4226_KEY).decode()
    # 6-digit codes are the last six digits of the 8-digit RFC values.
    assert totp.code_at(secret, 59) == "287082"
    assert totp.code_at(secret.lower(), 1111111109) == "081804"


def test_matching_step_accepts_one_step_of_drift_and_no_more() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    step = totp.step_of(now)
    for delta in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, now + 30 * delta), now) \
            == step + delta
    assert totp.matching_step(secret, totp.code_at(secret, now + 90), now) is None
    assert totp.matching_step(secret, "12345", now) is None
    assert totp.matching_step(secret, "abcdef", now) is None


def test_secret_is_160_bits_of_base32() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and secret.isalnum() and secret.upper() == secret
    assert len(base64.b32decode(secret)) == 20
    assert totp.new_secret() != secret


def test_recovery_codes_are_unique_and_hash_regardless_of_format() -> None:
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    assert totp.hash_recovery_code(code) == totp.hash_recovery_code(code.replace("-", "").upper())


def test_provisioning_uri_names_issuer_and_user() -> None:
    uri = totp.provisioning_uri("ABCDEF", "ana")
    assert uri.startswith("otpauth://totp/Amparo%3Aana?secret=ABCDEF&issuer=Amparo")
