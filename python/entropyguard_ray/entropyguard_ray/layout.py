"""Where each shard's rows fall in the single-machine run over the concatenated input.

The single run numbers the input rows 0..N-1, then the chunk rows (chunk stage) from N on, in parent
order. A shard's store numbers its own input rows 0..n-1 and its chunk rows from n on, in the same
order; so the single run's chunk rows are shard 0's, then shard 1's, and so on. Row id = gid:
  input row r of shard s:  offset_s + r            (offset_s: input rows of earlier shards)
  chunk row r of shard s:  chunk_base_s + r - n_s  (chunk_base_s: N + chunk rows of earlier shards)
The dedup stages' global order is another number, `ord` (dedup.py): the rows a shard exports, in its
store's order, after those of earlier shards."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ShardRows:
    order_base: int    # ord of the shard's first exported row
    offset: int        # gid of its first input row
    input_rows: int
    chunk_base: int    # gid of its first chunk row
    chunk_rows: int

    def gids(self, local):
        """The single-machine row ids of the shard's store row ids."""
        local = np.asarray(local, dtype=np.int64)
        return np.where(local < self.input_rows, self.offset + local, self.chunk_base + local - self.input_rows)

    def local(self, gid):
        """The shard's store row id of a gid, or None when another shard owns it."""
        if self.offset <= gid < self.offset + self.input_rows:
            return gid - self.offset
        if self.chunk_base <= gid < self.chunk_base + self.chunk_rows:
            return self.input_rows + gid - self.chunk_base
        return None


def shard_rows(exports):
    """Each shard's ShardRows from its export.json (rows, input_rows, next_row), and the layout
    (offsets, chunk_bases, total input rows) dedup.shard_of needs."""
    rows = [e["rows"] for e in exports]
    inputs = [e["input_rows"] for e in exports]
    chunks = [e["next_row"] - e["input_rows"] for e in exports]
    total = int(sum(inputs))
    order_bases = np.cumsum([0] + rows[:-1]).astype(np.int64)
    offsets = np.cumsum([0] + inputs[:-1]).astype(np.int64)
    chunk_bases = total + np.cumsum([0] + chunks[:-1]).astype(np.int64)
    shards = [ShardRows(int(b), int(o), int(n), int(c0), int(c)) for b, o, n, c0, c in zip(order_bases, offsets, inputs, chunk_bases, chunks)]
    return shards, (offsets, chunk_bases, total)
