/// The kept rows, filed into lists (one list in exact mode, one per centroid in IVF mode), as a
/// compact bfloat16 copy used only to find candidates (`CompactVector`).
///
/// Each list is a sequence of fixed-size pages of contiguous vectors. A page is allocated once
/// at full size and never moved, so growth copies nothing and the slack is at most one page
/// per list. Kept vectors are most of the selection's memory: at 1M rows (848k kept, 256-d) the
/// float32 copy was 868 MB of a 1.13 GB peak; bfloat16 halves it.
struct KeptVectorLists {
    let dimension: Int
    /// Rows per page.
    let pageRows: Int
    /// Per list, its pages; each page `rows x dimension` row-major bfloat16, capacity `pageRows` rows.
    private(set) var pages: [[[UInt16]]]
    /// Per list, the row ids in filing order (ascending); page p holds ids[p*pageRows...].
    private(set) var ids: [[Int64]]
    private(set) var count = 0
    /// The largest norm of a kept vector (the compact scores' error bound scales with it).
    private(set) var maxNorm: Float = 0

    init(dimension: Int, lists: Int, pageRows: Int) {
        self.dimension = dimension
        self.pageRows = pageRows
        pages = Array(repeating: [], count: lists)
        ids = Array(repeating: [], count: lists)
    }

    var listCount: Int { pages.count }

    func rows(in list: Int) -> Int { ids[list].count }

    mutating func append(list: Int, id: Int64, vector: UnsafePointer<Float>) {
        if ids[list].count % pageRows == 0 {
            var page: [UInt16] = []
            page.reserveCapacity(pageRows * dimension)
            pages[list].append(page)
        }
        CompactVector.append(vector, count: dimension, to: &pages[list][pages[list].count - 1])
        ids[list].append(id)
        count += 1
        maxNorm = max(maxNorm, VectorMath.dot(vector, vector, dimension).squareRoot())
    }

    /// Appends rows already in bfloat16 (a persisted reference index, `ReferenceSemanticIndex`) to
    /// `list`: `compact` is `ids.count x dimension`, `maxNorm` the largest float32 norm of the rows they
    /// were rounded from (the error bound needs the exact norms, which bfloat16 no longer gives).
    mutating func append(list: Int, ids newIDs: UnsafeBufferPointer<Int64>, compact: UnsafePointer<UInt16>, maxNorm norm: Float) {
        for (index, id) in newIDs.enumerated() {
            if ids[list].count % pageRows == 0 {
                var page: [UInt16] = []
                page.reserveCapacity(pageRows * dimension)
                pages[list].append(page)
            }
            pages[list][pages[list].count - 1].append(contentsOf: UnsafeBufferPointer(start: compact + index * dimension, count: dimension))
            ids[list].append(id)
        }
        count += newIDs.count
        maxNorm = max(maxNorm, norm)
    }

    /// Decodes rows `first..<first + rows` of `list` (whole pages) to float32 into `buffer`.
    func decode(list: Int, first: Int, rows: Int, into buffer: inout [Float]) {
        precondition(first % pageRows == 0, "decode starts at a page")
        if buffer.count < rows * dimension { buffer = [Float](repeating: 0, count: rows * dimension) }
        buffer.withUnsafeMutableBufferPointer { out in
            var done = 0
            var pageIndex = first / pageRows
            while done < rows {
                let page = pages[list][pageIndex]
                let n = min(page.count, (rows - done) * dimension)
                page.withUnsafeBufferPointer { CompactVector.decode($0.baseAddress!, count: n, into: out.baseAddress! + done * dimension) }
                done += n / dimension
                pageIndex += 1
            }
        }
    }
}
