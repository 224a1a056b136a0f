/// Chunk rows grouped by list: which rows probe a list, and which rows would be filed under it.
struct ListRouting {
    private let askerOffsets: [Int]
    private let askerRows: [Int32]
    private let filedOffsets: [Int]
    private let filedRows: [Int32]

    init(probed: [Int32], rows: Int, probes: Int, lists: Int) {
        (askerOffsets, askerRows) = ListRouting.bucket(lists: lists, rows: rows) { row, emit in
            for p in 0..<probes { emit(Int(probed[row * probes + p])) }
        }
        (filedOffsets, filedRows) = ListRouting.bucket(lists: lists, rows: rows) { row, emit in
            emit(Int(probed[row * probes]))
        }
    }

    /// Rows (ascending) that probe `list`.
    func askers(of list: Int) -> ArraySlice<Int32> { askerRows[askerOffsets[list]..<askerOffsets[list + 1]] }
    /// Rows (ascending) whose nearest list is `list`.
    func filed(under list: Int) -> ArraySlice<Int32> { filedRows[filedOffsets[list]..<filedOffsets[list + 1]] }

    /// Copies the vectors of `rows` contiguously into `buffer`.
    func gather<Rows: Collection<Int32>>(_ rows: Rows, from vectors: UnsafePointer<Float>, dimension: Int, into buffer: inout [Float]) {
        buffer.removeAll(keepingCapacity: true)
        for row in rows {
            buffer.append(contentsOf: UnsafeBufferPointer(start: vectors + Int(row) * dimension, count: dimension))
        }
    }

    /// Counting sort of rows into lists; rows stay ascending inside each list.
    private static func bucket(lists: Int, rows: Int,
                               _ each: (Int, (Int) -> Void) -> Void) -> ([Int], [Int32]) {
        var offsets = [Int](repeating: 0, count: lists + 1)
        for row in 0..<rows { each(row) { offsets[$0 + 1] += 1 } }
        for l in 0..<lists { offsets[l + 1] += offsets[l] }
        var next = offsets
        var out = [Int32](repeating: 0, count: offsets[lists])
        for row in 0..<rows {
            each(row) { l in out[next[l]] = Int32(row); next[l] += 1 }
        }
        return (offsets, out)
    }
}
