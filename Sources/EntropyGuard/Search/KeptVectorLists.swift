/// The kept rows, filed into lists (one list in exact mode, one per centroid in IVF mode), as a
/// compact bfloat16 copy used only to find candidates (`CompactVector`).
///
/// Each list is a sequence of fixed-size pages; a page is `pageRows / 16` blocks of 16 rows packed by
/// pairs of components (the kernels' layout, `search_kernels.h`), allocated once at full size (zero
/// rows past the list's end) and never moved, so growth copies nothing and the slack is at most one
/// page per list. Kept vectors are most of the selection's memory: at 1M rows (848k kept, 256-d) the
/// float32 copy was 868 MB of a 1.13 GB peak; bfloat16 halves it.
struct KeptVectorLists {
    let dimension: Int
    /// Packed words per row (`CompactVector.pairs`).
    let pairs: Int
    /// Rows per page, a multiple of 16.
    let pageRows: Int
    /// Per list, its pages; each `pageRows x pairs` words.
    private(set) var pages: [[[UInt32]]]
    /// Per list, the row ids in filing order (ascending); page p holds ids[p*pageRows...].
    private(set) var ids: [[Int64]]
    private(set) var count = 0
    /// The largest norms of a kept row's rounding and of its error (the scores' error bound).
    private(set) var maxNorms = CompactVector.Norms()

    init(dimension: Int, lists: Int, pageRows: Int) {
        precondition(pageRows > 0 && pageRows % 16 == 0, "pages hold whole blocks of 16 rows")
        self.dimension = dimension
        pairs = CompactVector.pairs(dimension: dimension)
        self.pageRows = pageRows
        pages = Array(repeating: [], count: lists)
        ids = Array(repeating: [], count: lists)
    }

    var listCount: Int { pages.count }

    func rows(in list: Int) -> Int { ids[list].count }

    mutating func append(list: Int, id: Int64, vector: UnsafePointer<Float>) {
        let r = ids[list].count % pageRows
        if r == 0 { pages[list].append([UInt32](repeating: 0, count: pageRows * pairs)) }
        let last = pages[list].count - 1
        let (dimension, pairs) = (dimension, pairs)
        let norms = pages[list][last].withUnsafeMutableBufferPointer {
            CompactVector.pack(vector, count: dimension, pairs: pairs, into: $0.baseAddress! + (r / 16) * pairs * 16 + r % 16, stride: 16)
        }
        ids[list].append(id)
        count += 1
        maxNorms.rounded = max(maxNorms.rounded, norms.rounded)
        maxNorms.error = max(maxNorms.error, norms.error)
    }

    /// Appends rows packed already (a persisted reference index, `ReferenceSemanticIndex`) to `list`:
    /// `packed` is `ids.count x pairs` words as `CompactVector.pack` writes a row with stride 1, and
    /// `norms` the largest of their `pack` norms, so the list holds what `append(list:id:vector:)` of the
    /// same vectors would have made (the error bound needs those norms: bfloat16 no longer gives |e_k|).
    mutating func append(list: Int, ids newIDs: UnsafeBufferPointer<Int64>, packed: UnsafePointer<UInt32>, norms: CompactVector.Norms) {
        let pairs = pairs
        for (index, id) in newIDs.enumerated() {
            let r = ids[list].count % pageRows
            if r == 0 { pages[list].append([UInt32](repeating: 0, count: pageRows * pairs)) }
            let last = pages[list].count - 1
            pages[list][last].withUnsafeMutableBufferPointer { page in
                let out = page.baseAddress! + (r / 16) * pairs * 16 + r % 16
                let row = packed + index * pairs
                for p in 0..<pairs { out[p * 16] = row[p] }
            }
            ids[list].append(id)
        }
        count += newIDs.count
        maxNorms.rounded = max(maxNorms.rounded, norms.rounded)
        maxNorms.error = max(maxNorms.error, norms.error)
    }

    /// Scores `rows` query rows (as `kernel` reads them) against rows `first..<first + n` of `list`
    /// (`first` at a page start): `scores[i * ld + j]` for kept row `first + j`, j < n rounded up to 16.
    func score(list: Int, first: Int, count n: Int, queries: UnsafePointer<UInt32>, rows: Int, kernel: SearchKernel,
               into scores: UnsafeMutablePointer<Float>, ld: Int) {
        precondition(first % pageRows == 0, "scoring starts at a page")
        var done = 0
        while done < n {
            let inPage = min(pageRows, n - done)
            pages[list][(first + done) / pageRows].withUnsafeBufferPointer {
                kernel.scores(queries, rows: rows, keys: $0.baseAddress!, blocks: (inPage + 15) / 16, pairs: pairs,
                              into: scores + done, ld: ld)
            }
            done += inPage
        }
    }
}
