"""EntropyGuard on a Ray cluster: per-shard work in the entropyguard binary, global dedup decisions by Ray shuffles."""
