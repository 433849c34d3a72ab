"""Text signatures for near-duplicate detection (used by `neardup.py`):

1. **Normalise** (`normalize_texts`, vectorised in Arrow): lower-case; drop URLs and
   @mentions (they differ from copy to copy: links are tracked, targets rotate); NFKD and drop
   combining marks (accents); everything that is not a letter or a digit becomes a space
   (emoji, punctuation, and the `#` of a hashtag: the hashtag's *word* is kept, because it is
   often part of the sentence: "#Fulana mente"); split on whitespace. Texts with fewer than
   `settings.min_text_tokens` tokens are ignored (too generic: "ok obrigada").
2. **Shingle**: texts of SHORT_TOKENS tokens or more give word 2-grams; shorter ones give
   character 5-grams of the normalised text (more forgiving of a typo or a swapped word in a
   short text). Each distinct token is hashed with `zlib.crc32`; shingle hashes combine token
   (or code point) values with fixed odd 64-bit constants and the splitmix64 finaliser, so a
   text's signature is the same in every process and on every machine (never `hash()`).
3. **MinHash** (NUM_PERM = 64 multiply-shift permutations with fixed seeds, vectorised over
   a chunk of documents with `np.minimum.reduceat`), computed streaming over the posts in
   chunks and written to Parquet: memory is bounded by a chunk.
4. **LSH**: BANDS = 16 bands of ROWS = 4 minhashes; two posts with shingle Jaccard s share at
   least one bucket with probability 1 - (1 - s^4)^16 (the S-curve): 0.12 at s = 0.3, 0.64 at
   0.5, 0.99 at 0.7, 0.9999 at 0.8; its steepest point is (1/16)^(1/4) = 0.5, below the 0.7
   threshold, so recall at the threshold is high and the extra candidates are verified.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from amparo.campaigns.engines import Table
from amparo.campaigns.model import Settings

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHORT_TOKENS = 10  # fewer tokens: character 5-grams instead of word 2-grams
CHAR_GRAM = 5
CHUNK_POSTS = 50_000
_SHINGLES_PER_BLOCK = 4096  # MinHash block: (NUM_PERM x shingles) uint64, 2 MB

_URL = r"(?:https?://|www\.)\S+"
_MENTION = r"@[\pL\pN_]+"
_MARKS = r"\p{Mn}+"
_NON_WORD = r"[^\pL\pN ]+"  # leaving spaces out of the class makes RE2 6x faster

_rng = np.random.Generator(np.random.PCG64(20240607))
_PERM_A = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_PERM_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_MIX = _rng.integers(1, 2**63, 8, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
HCOLS = [f"h{i:02d}" for i in range(NUM_PERM)]
BCOLS = [f"b{i:02d}" for i in range(BANDS)]


def _splitmix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 in, uint64 out): spreads the bits of a linear combination."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = x ^ (x >> np.uint64(31))
    return out


# --------------------------------------------------------------------------- normalisation


def normalize_texts(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Normalised token lists (list<string>) for an Arrow string array; a null text, or one
    with nothing left, gives null."""
    t = pc.utf8_lower(pc.cast(texts, pa.string()))
    t = pc.replace_substring_regex(t, _URL, " ")
    t = pc.replace_substring_regex(t, _MENTION, " ")
    t = pc.utf8_normalize(t, form="NFKD")
    t = pc.replace_substring_regex(t, _MARKS, "")
    t = pc.replace_substring_regex(t, _NON_WORD, " ")
    t = pc.utf8_trim_whitespace(t)
    # Arrow splits "" into [""]: an empty text has no tokens
    t = pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t)
    tokens = pc.utf8_split_whitespace(t)
    if isinstance(tokens, pa.ChunkedArray):
        tokens = tokens.combine_chunks()
    return tokens


def normalize(text: str) -> str:
    """One text, normalised as the signatures see it (for explanations and tests)."""
    tokens = normalize_texts(pa.array([text], pa.string()))[0].as_py()
    return " ".join(tokens or [])


# --------------------------------------------------------------------------- signatures

_token_cache: dict[str, int] = {}


def _token_hashes(tokens: pa.Array) -> np.ndarray:
    """crc32 of every token (uint64), hashing each distinct token of the chunk once."""
    if len(tokens) == 0:
        return np.zeros(0, np.uint64)
    enc = pc.dictionary_encode(tokens)
    words = enc.dictionary.to_pylist()
    if len(_token_cache) > 2_000_000:
        _token_cache.clear()
    values = np.fromiter(
        (_token_cache.get(w) or _token_cache.setdefault(w, zlib.crc32(w.encode()) + 1)
         for w in words), np.uint64, len(words))
    hashed: np.ndarray = values[enc.indices.to_numpy(zero_copy_only=False)]
    return hashed


def _minhash(shingles: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Signatures (len(starts) x NUM_PERM, uint32) of documents whose shingle hashes lie in
    `shingles[starts[i]:starts[i+1]]` (every document has at least one).

    Blocks of about _SHINGLES_PER_BLOCK shingles are hashed as a (NUM_PERM x shingles) array:
    each permutation's values of a document are contiguous, so `np.minimum.reduceat` runs
    along rows (5x faster than over the transposed layout)."""
    n = len(starts)
    out = np.empty((NUM_PERM, n), np.uint32)
    bounds = np.append(starts, len(shingles))
    buf = np.empty((NUM_PERM, _SHINGLES_PER_BLOCK), np.uint64)
    i = 0
    while i < n:
        j = int(np.searchsorted(bounds, bounds[i] + _SHINGLES_PER_BLOCK, side="right")) - 1
        j = min(max(j, i + 1), n)
        lo, hi = int(bounds[i]), int(bounds[j])
        block = buf[:, :hi - lo] if hi - lo <= buf.shape[1] else np.empty((NUM_PERM, hi - lo),
                                                                            np.uint64)
        np.multiply(_PERM_A[:, None], shingles[None, lo:hi], out=block)
        block += _PERM_B[:, None]
        block >>= np.uint64(32)
        out[:, i:j] = np.minimum.reduceat(block.astype(np.uint32), bounds[i:j] - lo, axis=1)
        i = j
    return np.ascontiguousarray(out.T)


def _ngram_hashes(values: np.ndarray, lengths: np.ndarray, k: int) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """k-gram hashes of consecutive `values` inside each document (every length >= 1);
    returns (hashes, index of each document's first hash)."""
    ends = np.cumsum(lengths)
    starts = ends - lengths
    count = np.maximum(lengths - k + 1, 1)  # a document shorter than k: one shorter gram
    total = int(count.sum())
    first = np.repeat(starts, count)
    pos = first + (np.arange(total) - np.repeat(np.cumsum(count) - count, count))
    end = np.repeat(ends, count)
    acc = np.zeros(total, np.uint64)
    for offset in range(k):
        inside = pos + offset < end
        acc[inside] += values[pos[inside] + offset] * _MIX[offset]
    return _splitmix(acc) >> np.uint64(32), np.cumsum(count) - count


def signatures(texts: pa.Array | pa.ChunkedArray,
               min_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of the texts: (indices of the texts long enough, signatures
    (n x NUM_PERM uint32) in the same order)."""
    tokens = normalize_texts(texts)
    lengths = pc.fill_null(pc.list_value_length(tokens), 0).to_numpy().astype(np.int64)
    keep = np.flatnonzero(lengths >= max(1, min_tokens))
    sig = np.empty((len(keep), NUM_PERM), np.uint32)
    if not len(keep):
        return keep, sig
    long_mask = lengths[keep] >= SHORT_TOKENS
    long_docs = keep[long_mask]
    if len(long_docs):
        sub = tokens.take(pa.array(long_docs))
        hashes = _token_hashes(pc.list_flatten(sub))
        sh, st = _ngram_hashes(hashes, lengths[long_docs], 2)
        sig[long_mask] = _minhash(sh, st)
    short_docs = keep[~long_mask]
    if len(short_docs):
        joined = pc.binary_join(tokens.take(pa.array(short_docs)), " ")
        strings = joined.to_pylist()
        codes = np.frombuffer("".join(strings).encode("utf-32-le"), np.uint32)
        char_len = np.fromiter((len(s) for s in strings), np.int64, len(strings))
        sh, st = _ngram_hashes(codes.astype(np.uint64) + np.uint64(1), char_len, CHAR_GRAM)
        sig[~long_mask] = _minhash(sh, st)
    return keep, sig


def band_keys(sig: np.ndarray) -> np.ndarray:
    """LSH bucket keys (n x BANDS, int64): a hash of the band index and its ROWS minhashes."""
    wide = sig.astype(np.uint64)
    keys = np.empty((len(sig), BANDS), np.uint64)
    for band in range(BANDS):
        acc = np.full(len(sig), band + 1, np.uint64) * _MIX[ROWS]
        for r in range(ROWS):
            acc += wide[:, band * ROWS + r] * _MIX[r]
        keys[:, band] = _splitmix(acc)
    return keys.view(np.int64)


def _variant(sig: np.ndarray) -> np.ndarray:
    """One 64-bit hash per signature: equal for texts with equal shingle sets."""
    acc = np.zeros(len(sig), np.uint64)
    for col in range(NUM_PERM):
        acc = _splitmix(acc + sig[:, col].astype(np.uint64) * _MIX[col % 8])
    return acc.view(np.int64)


_SIG_SCHEMA = pa.schema(
    [("row", pa.int64()), ("post_id", pa.string()), ("account_id", pa.string()),
     ("timestamp", pa.float64()), ("variant", pa.int64())]
    + [(c, pa.int64()) for c in BCOLS] + [(c, pa.uint32()) for c in HCOLS])


def _batches(posts: Table, chunk: int) -> Iterator[pa.RecordBatch]:
    cols = ["post_id", "account_id", "timestamp", "text"]
    if posts.path is not None:
        yield from pq.ParquetFile(posts.path).iter_batches(batch_size=chunk, columns=cols)
        return
    assert posts.frame is not None
    frame = posts.frame.loc[:, cols]
    yield from pa.Table.from_pandas(frame, preserve_index=False).to_batches(chunk)


def _enumerate_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[tuple[int,
                                                                             pa.RecordBatch]]:
    offset = 0
    for batch in batches:
        yield offset, batch
        offset += batch.num_rows


def _sign_batch(batch: pa.RecordBatch, offset: int, settings: Settings) -> pa.Table | None:
    keep, sig = signatures(batch.column("text"), settings.min_text_tokens)
    if not len(keep):
        return None
    idx = pa.array(keep)
    columns: dict[str, pa.Array | np.ndarray] = {
        "row": keep + offset,
        "post_id": pc.cast(batch.column("post_id").take(idx), pa.string()),
        "account_id": pc.cast(batch.column("account_id").take(idx), pa.string()),
        "timestamp": pc.cast(batch.column("timestamp").take(idx), pa.float64()),
        "variant": _variant(sig),
    }
    keys = band_keys(sig)
    columns.update({c: keys[:, i] for i, c in enumerate(BCOLS)})
    columns.update({c: sig[:, i] for i, c in enumerate(HCOLS)})
    return pa.table(columns, schema=_SIG_SCHEMA)


def write_signatures(posts: Table, out: Path, settings: Settings,
                     chunk: int = CHUNK_POSTS, threads: int = 2) -> int:
    """Stream the posts in chunks into `out` (Parquet): one row per post long enough, with its
    bucket keys (b00…) and minhashes (h00…). Returns the number of rows written. Chunks are
    signed by `threads` threads (Arrow and NumPy release the GIL), at most 2 per thread in
    flight, and written in input order."""
    written = 0
    pending: deque[Future[pa.Table | None]] = deque()
    with pq.ParquetWriter(out, _SIG_SCHEMA, compression="none") as writer, \
            ThreadPoolExecutor(max(1, threads)) as pool:

        def drain(limit: int) -> None:
            nonlocal written
            while len(pending) > limit:
                table = pending.popleft().result()
                if table is not None:
                    writer.write_table(table)
                    written += table.num_rows

        for offset, batch in _enumerate_batches(_batches(posts, chunk)):
            pending.append(pool.submit(_sign_batch, batch, offset, settings))
            drain(2 * max(1, threads))
        drain(0)
    return written
