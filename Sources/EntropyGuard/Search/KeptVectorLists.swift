/// The kept rows, filed into lists (one list in exact mode, one per centroid in IVF mode).
///
/// Each list is a sequence of fixed-size pages of contiguous vectors. A page is allocated once
/// at full size and never moved, so growth copies nothing and the slack is at most one page
/// per list (kept vectors are most of the memory at 1M rows). Each page is scored with one GEMM.
struct KeptVectorLists {
    let dimension: Int
    /// Rows per page.
    let pageRows: Int
    /// Per list, its pages; each page `rows x dimension` row-major, capacity `pageRows` rows.
    private(set) var pages: [[[Float]]]
    /// Per list, the row ids in filing order (ascending); page p holds ids[p*pageRows...].
    private(set) var ids: [[Int64]]
    private(set) var count = 0

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
            var page: [Float] = []
            page.reserveCapacity(pageRows * dimension)
            pages[list].append(page)
        }
        pages[list][pages[list].count - 1].append(contentsOf: UnsafeBufferPointer(start: vector, count: dimension))
        ids[list].append(id)
        count += 1
    }
}
