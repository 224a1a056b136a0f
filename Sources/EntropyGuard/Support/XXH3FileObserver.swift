import Parquet

/// XXH3-64 of a file as an `AtomicFile` writes it (`AtomicFileObserver`), for the store's records of
/// outputs and snapshots: the hash is there at `commit()`, with no read-back of the file. Reading
/// back cost ~0.05 s per 270 MB (page-cached), on every output and snapshot of every run.
///
/// Also checks an append's old file while its first bytes are copied into the new one (`AtomicFile`
/// copies through user space when observed): `matches(_:continuingWith:from:)` hashes the old
/// file's bytes the copy did not take on a copy of the state, so the whole old file is checked
/// against its recorded hash and this hash goes on with the new file's bytes.
final class XXH3FileObserver: AtomicFileObserver {
    private let stream = XXH3Stream64()
    /// Bytes seen: the file's length so far.
    private(set) var length: Int64 = 0

    func observe(_ bytes: UnsafeRawBufferPointer) {
        stream.update(bytes)
        length += Int64(bytes.count)
    }

    /// The hash of the bytes seen, as 16 lowercase hex digits (as `SnapshotCheck.xxh3`).
    var hex: String { hex64(stream.digest()) }

    /// Whether the bytes seen so far, followed by those of the open file `descriptor` from `offset`
    /// to its end, hash to `expected` (16 hex digits). This hash is left as it was.
    func matches(_ expected: String, continuingWith descriptor: Int32, from offset: Int64) -> Bool {
        let rest = stream.copy()
        return rest.update(descriptor: descriptor, from: offset) && hex64(rest.digest()) == expected
    }
}
