/// What a dedup stage keeps in the store (`append_lookups`) so that an append (`InputAppend`) looks up
/// only its new rows: (key, row) entries of the rows the stage decided, in parts of at most
/// `partEntries`, each sorted by key (a lookup searches every part). Exact dedup: each distinct dedup key with its first row (16 bytes an entry). Fuzzy
/// dedup: each band key of each row it kept, as the key's high 32 bits and the row (8 bytes: 58 MB
/// for the 1M-row benchmark's 7.6M entries instead of 115 MB); a 32-bit match that is not a whole
/// band key only brings one more earlier kept row into the selection, which cannot change a decision
/// (see FuzzyDedupStage.appendOnly).
enum AppendLookup {
    enum Layout {
        /// (UInt64 key, Int64 row), little-endian.
        case exact
        /// (UInt32 high half of the key, UInt32 row), little-endian.
        case fuzzy

        var entrySize: Int { self == .exact ? 16 : 8 }

        /// The part of a key that is stored and compared.
        func stored(_ key: UInt64) -> UInt64 { self == .exact ? key : key >> 32 }
    }

    static let partEntries = 1 << 20

    /// Rows the fuzzy layout can hold.
    static let fuzzyRowLimit = Int64(UInt32.max)

    /// Collects entries given run after run, each run in (key, row) order, into parts (each within a
    /// run, so sorted) and hands each full part to `flush` with its index, as `finish` does the last
    /// one; the runs' sizes are given beforehand (the part count is part of each part's checksum key).
    final class Writer {
        let layout: Layout
        let runs: [Int]
        /// At least one, empty when there are no entries: a segment with none (an append whose new rows
        /// all went before the stage) still covers its rows.
        let parts: Int
        private let flush: (_ index: Int, _ parts: Int, _ bytes: [UInt8]) throws -> Void
        /// The part being filled: `filled` entries of `bytes`, stored in place (appending each entry's
        /// bytes to an array went byte by byte).
        private var bytes: [UInt8]
        private var filled = 0
        private var index = 0
        private var written = 0
        private var run = 0

        init(layout: Layout, runs: [Int], flush: @escaping (_ index: Int, _ parts: Int, _ bytes: [UInt8]) throws -> Void) {
            self.layout = layout
            self.runs = runs
            parts = max(1, runs.reduce(0) { $0 + ($1 + AppendLookup.partEntries - 1) / AppendLookup.partEntries })
            self.flush = flush
            bytes = [UInt8](repeating: 0, count: min(runs.max() ?? 0, AppendLookup.partEntries) * layout.entrySize)
        }

        private func flushPart() throws {
            try flush(index, parts, filled * layout.entrySize == bytes.count ? bytes : Array(bytes[..<(filled * layout.entrySize)]))
            index += 1
            filled = 0
        }

        func append(key: UInt64, row: Int64, run: Int = 0) throws {
            if run != self.run {
                if filled > 0 { try flushPart() }
                self.run = run
            }
            let offset = filled * layout.entrySize
            if offset == bytes.count { bytes.append(contentsOf: repeatElement(0, count: layout.entrySize)) }
            bytes.withUnsafeMutableBytes { out in
                switch layout {
                case .exact:
                    out.storeBytes(of: key.littleEndian, toByteOffset: offset, as: UInt64.self)
                    out.storeBytes(of: row.littleEndian, toByteOffset: offset + 8, as: Int64.self)
                case .fuzzy:
                    out.storeBytes(of: UInt32(truncatingIfNeeded: key >> 32).littleEndian, toByteOffset: offset, as: UInt32.self)
                    out.storeBytes(of: UInt32(truncatingIfNeeded: row).littleEndian, toByteOffset: offset + 4, as: UInt32.self)
                }
            }
            filled += 1
            written += 1
            if filled == AppendLookup.partEntries { try flushPart() }
        }

        func finish() throws {
            if filled > 0 || index == 0 { try flushPart() }
            guard written == runs.reduce(0, +), index == parts else {
                throw EntropyGuardError(.internalError, "append_lookups: \(runs.reduce(0, +)) entries in \(parts) parts expected, \(written) in \(index) given")
            }
            bytes = []
        }
    }

    /// Calls `body` with (stored key, row) of each entry of `part` whose stored key is one of `wanted`
    /// (stored keys, ascending, distinct), in the part's order. StoreDamage when the part is not whole entries.
    static func forEachMatch(in part: UnsafeRawBufferPointer, layout: Layout, wanted: [UInt64],
                             _ body: (UInt64, Int64) throws -> Void) throws {
        let size = layout.entrySize
        guard part.count % size == 0 else { throw StoreDamage("append_lookups: a part of \(part.count) bytes is not whole entries") }
        let count = part.count / size
        func key(_ i: Int) -> UInt64 {
            layout == .exact ? UInt64(littleEndian: part.loadUnaligned(fromByteOffset: i * size, as: UInt64.self))
                : UInt64(UInt32(littleEndian: part.loadUnaligned(fromByteOffset: i * size, as: UInt32.self)))
        }
        func row(_ i: Int) -> Int64 {
            layout == .exact ? Int64(littleEndian: part.loadUnaligned(fromByteOffset: i * size + 8, as: Int64.self))
                : Int64(UInt32(littleEndian: part.loadUnaligned(fromByteOffset: i * size + 4, as: UInt32.self)))
        }
        // A merge of the two sorted lists that gallops: each wanted key is searched from where the
        // previous one's search ended, first by steps doubling from there, then by halving within the
        // last step, so a search reads entries near the previous one's. A binary search over the rest
        // of the part from there jumped across it (a cache miss a step): a 10k-row append to 1M rows
        // looking up its 90k band keys in the 7.6M entries spent ~100 ms in it (perf).
        var low = 0
        for target in wanted {
            // Entries before `low` are below `target`; after the gallop, so are those before the new
            // `low`, and `bound` is the count or an entry at or after it.
            var bound = low
            var step = 1
            while bound < count && key(bound) < target {
                low = bound + 1
                bound = low + step
                step <<= 1
            }
            var high = min(bound, count)
            while low < high {
                let middle = (low + high) / 2
                if key(middle) < target { low = middle + 1 } else { high = middle }
            }
            if low == count { return }
            var i = low
            while i < count && key(i) == target {
                try body(target, row(i))
                i += 1
            }
        }
    }
}
