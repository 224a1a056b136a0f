/// The kept rows, filed into lists (one list in exact mode, one per centroid in IVF mode).
/// Each list stores its vectors contiguously so a whole list can be scored with one GEMM.
struct KeptVectorLists {
    let dimension: Int
    /// Per list, `rows x dimension` row-major.
    private(set) var vectors: [[Float]]
    /// Per list, the row ids in the same order as `vectors` (ascending).
    private(set) var ids: [[Int64]]
    private(set) var count = 0

    init(dimension: Int, lists: Int) {
        self.dimension = dimension
        vectors = Array(repeating: [], count: lists)
        ids = Array(repeating: [], count: lists)
    }

    var listCount: Int { vectors.count }

    func rows(in list: Int) -> Int { ids[list].count }

    /// Reserves room for `rows` more rows in `list` up front (exact mode knows the expected size).
    mutating func reserve(list: Int, rows: Int) {
        vectors[list].reserveCapacity((self.rows(in: list) + rows) * dimension)
        ids[list].reserveCapacity(self.rows(in: list) + rows)
    }

    mutating func append(list: Int, id: Int64, vector: UnsafePointer<Float>) {
        let needed = vectors[list].count + dimension
        if needed > vectors[list].capacity {
            // Grow by 1/4 rather than doubling: kept vectors are most of the memory at 1M rows.
            let grown = max(needed, vectors[list].capacity + vectors[list].capacity / 4, 16 * dimension)
            vectors[list].reserveCapacity(grown)
        }
        vectors[list].append(contentsOf: UnsafeBufferPointer(start: vector, count: dimension))
        ids[list].append(id)
        count += 1
    }
}
