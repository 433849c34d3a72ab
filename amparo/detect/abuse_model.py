"""The abuse classifier's linear model: hashed word and character n-grams of `fold()`ed text,
one logistic-regression weight vector per label. Stored as two plain files, nothing pickled
(loading a pickle runs code; these survive library upgrades and can be read by any tool):
`abuse.npz`, the weight arrays in NumPy's format, and `abuse.json`, the labels, feature spec,
thresholds and training metadata, with the arrays' SHA-256 so a mismatched pair is refused.

Shared by the detector (`abuse.py`) and the training script (`scripts/train_abuse.py`), so
both featurise text the same way.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

FORMAT = "amparo-linear-model/2"
ARRAYS = ("coef", "intercept")
_TOKEN = re.compile(r"[^\W_]{2,}")  # as scikit-learn's default token_pattern


@dataclass(frozen=True)
class FeatureSpec:
    word_bits: int = 18
    char_bits: int = 19
    char_min: int = 3
    char_max: int = 5

    def as_dict(self) -> dict[str, int]:
        return {"word_bits": self.word_bits, "char_bits": self.char_bits,
                "char_min": self.char_min, "char_max": self.char_max}


class Featurizer:
    """Word 1-2-grams and character n-grams of each word padded with spaces (as
    scikit-learn's `char_wb`), hashed with MurmurHash3 into two blocks, each block
    L2-normalised. A word's columns are computed once and cached: messages share most of
    their words, which makes the character n-grams almost free (scikit-learn's own
    `HashingVectorizer(analyzer="char_wb")` is about five times slower)."""

    CACHE_MAX = 300_000

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._wn = 2 ** spec.word_bits
        self._cn = 2 ** spec.char_bits
        self._cache: dict[str, tuple[int, list[int]]] = {}

    def _word(self, word: str) -> tuple[int, list[int]]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        padded = f" {word} "
        chars = [abs(murmurhash3_32(padded[i:i + n], seed=0)) % self._cn
                 for n in range(self.spec.char_min, self.spec.char_max + 1)
                 for i in range(len(padded) - n + 1)]
        value = (abs(murmurhash3_32(word, seed=0)) % self._wn, chars)
        if len(self._cache) < self.CACHE_MAX:
            self._cache[word] = value
        return value

    def transform(self, folded: Sequence[str]) -> sp.csr_matrix:
        w_idx: list[int] = []
        w_ptr = [0]
        c_idx: list[int] = []
        c_ptr = [0]
        wn = self._wn
        for text in folded:
            words = _TOKEN.findall(text)
            for word in words:
                unigram, chars = self._word(word)
                w_idx.append(unigram)
                c_idx.extend(chars)
            w_idx.extend(abs(murmurhash3_32(f"{a} {b}", seed=0)) % wn
                         for a, b in itertools.pairwise(words))
            w_ptr.append(len(w_idx))
            c_ptr.append(len(c_idx))
        blocks = []
        for idx, ptr, n in ((w_idx, w_ptr, self._wn), (c_idx, c_ptr, self._cn)):
            m = sp.csr_matrix((np.ones(len(idx), dtype=np.float32), np.asarray(idx, np.int32),
                               np.asarray(ptr, np.int64)), shape=(len(folded), n))
            m.sum_duplicates()
            blocks.append(normalize(m))
        return sp.hstack(blocks, format="csr")

    def word_features(self, word: str) -> list[int]:
        """Feature columns of one word on its own: its unigram and its character n-grams."""
        unigram, chars = self._word(word)
        return [unigram, *(self._wn + c for c in chars)]


@dataclass
class LinearModel:
    labels: tuple[str, ...]
    spec: FeatureSpec
    coef: np.ndarray  # (n_features, n_labels) float32
    intercept: np.ndarray  # (n_labels,)
    thresholds: dict[str, dict[str, float]]  # label -> language (or "*") -> threshold
    meta: dict[str, Any]

    def __post_init__(self) -> None:
        self.featurizer = Featurizer(self.spec)
        self._weights: dict[tuple[str, str], float] = {}

    def predict(self, folded: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(folded), len(labels))."""
        if not folded:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        z = self.featurizer.transform(folded) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def threshold(self, label: str, language: str | None) -> float:
        table = self.thresholds[label]
        return table.get(language or "*", table["*"])

    def word_weight(self, word: str, label: str) -> float:
        """How much `word` on its own pushes `label`'s score up (for explanations)."""
        key = (word, label)
        weight = self._weights.get(key)
        if weight is None:
            column = self.labels.index(label)
            weight = float(self.coef[self.featurizer.word_features(word), column].sum())
            if len(self._weights) < 100_000:
                self._weights[key] = weight
        return weight

    @staticmethod
    def files(path: Path) -> tuple[Path, Path]:
        """The arrays (`path`, .npz) and the description beside them (.json)."""
        return path, path.with_suffix(".json")

    def save(self, path: Path) -> None:
        """Write `path` (.npz) and its .json. Byte-for-byte reproducible: the zip entries
        carry a fixed date, so the same weights always give the same SHA-256."""
        arrays_path, meta_path = self.files(path)
        arrays = {"coef": np.ascontiguousarray(self.coef, dtype=np.float32),
                  "intercept": np.ascontiguousarray(self.intercept, dtype=np.float32)}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, array in arrays.items():
                entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(entry, "w") as out:
                    np.lib.format.write_array(out, array, allow_pickle=False)
        data = buffer.getvalue()
        arrays_path.write_bytes(data)
        meta = {"format": FORMAT, "arrays": arrays_path.name,
                "arrays_sha256": hashlib.sha256(data).hexdigest(),
                "shapes": {name: list(a.shape) for name, a in arrays.items()},
                "labels": list(self.labels), "spec": self.spec.as_dict(),
                "thresholds": self.thresholds, "meta": self.meta}
        meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save`; ValueError naming the file if it is not one."""
        arrays_path, meta_path = cls.files(path)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data = arrays_path.read_bytes()
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{meta_path}: not an abuse model description: {exc}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(f"{meta_path}: unsupported abuse model format {found!r}")
        if hashlib.sha256(data).hexdigest() != meta.get("arrays_sha256"):
            raise ValueError(f"{arrays_path}: SHA-256 differs from the one in {meta_path.name}; "
                             "the weights and their description do not belong together")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in ARRAYS}
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{arrays_path}: not the abuse model's arrays: {exc}") from None
        labels = tuple(meta["labels"])
        spec = FeatureSpec(**meta["spec"])
        n_features = 2 ** spec.word_bits + 2 ** spec.char_bits
        if arrays["coef"].shape != (n_features, len(labels)) or \
                arrays["intercept"].shape != (len(labels),):
            raise ValueError(f"{arrays_path}: weights of shape {arrays['coef'].shape} and "
                             f"{arrays['intercept'].shape} do not fit {len(labels)} labels and "
                             f"{n_features} features")
        return cls(labels, spec, np.ascontiguousarray(arrays["coef"], dtype=np.float32),
                   np.asarray(arrays["intercept"], dtype=np.float32),
                   meta["thresholds"], meta["meta"])
