/// A chunk's rows as a search kernel reads them (`SearchKernel.queryWords`): bfloat16 pairs for AMX,
/// packed once per chunk (each row probes several lists), or float32 padded to whole pairs; with the
/// norms of their rounding for `CompactVector.errorBound`.
struct QueryRows {
    let kernel: SearchKernel
    /// Words per row.
    let words: Int
    private(set) var data: [UInt32]
    /// Per row; zero when the kernel reads float32 (nothing rounded).
    private(set) var norms: [CompactVector.Norms]

    init(_ vectors: UnsafePointer<Float>, rows: Int, dimension: Int, pairs: Int, kernel: SearchKernel) {
        self.kernel = kernel
        let words = kernel.queryWords(pairs: pairs)
        self.words = words
        var norms = [CompactVector.Norms](repeating: CompactVector.Norms(), count: rows)
        data = [UInt32](repeating: 0, count: rows * words)
        data.withUnsafeMutableBufferPointer { out in
            for i in 0..<rows {
                let row = out.baseAddress! + i * words
                if kernel.roundsQueries {
                    norms[i] = CompactVector.pack(vectors + i * dimension, count: dimension, pairs: pairs, into: row, stride: 1)
                } else {
                    UnsafeMutableRawPointer(row).copyMemory(from: vectors + i * dimension, byteCount: dimension * 4)
                }
            }
        }
        self.norms = norms
    }

    /// Copies the words of `rows` contiguously into `buffer`, then zero rows up to the kernel's
    /// `rowMultiple`; returns the padded row count.
    func gather<Rows: Collection<Int32>>(_ rows: Rows, into buffer: inout [UInt32]) -> Int {
        let padded = (rows.count + kernel.rowMultiple - 1) / kernel.rowMultiple * kernel.rowMultiple
        buffer.removeAll(keepingCapacity: true)
        data.withUnsafeBufferPointer { d in
            for row in rows { buffer.append(contentsOf: UnsafeBufferPointer(start: d.baseAddress! + Int(row) * words, count: words)) }
        }
        buffer.append(contentsOf: repeatElement(0, count: (padded - rows.count) * words))
        return padded
    }
}
