import COpenBLAS

/// Eigenvalues and eigenvectors of a real symmetric matrix, by LAPACK's `dsyevd` (the LAPACK inside
/// Debian's OpenBLAS). For the 384 x 384 covariance of a distillation it takes about 0.1 s; a Jacobi
/// routine of our own would take seconds and be one more numerical routine to get right.
struct SymmetricEigen {
    /// Eigenvalues, largest first.
    let values: [Double]
    /// Eigenvectors as rows (`values.count` rows of `n`), in the order of `values`, each of unit
    /// length with its largest-magnitude entry positive (scikit-learn's `svd_flip` rule on the
    /// components), so the signs are a fixed function of the matrix.
    let vectors: [Double]
    let n: Int

    enum Failure: Error, CustomStringConvertible {
        case lapack(info: Int32)
        var description: String {
            switch self { case .lapack(let info): return "LAPACK dsyevd failed (info \(info))" }
        }
    }

    /// - Parameter matrix: `n * n` values, row-major; only the symmetric content matters.
    init(symmetric matrix: [Double], n: Int) throws {
        precondition(matrix.count == n * n && n > 0)
        var a = matrix   // symmetric: row-major and column-major are the same
        var w = [Double](repeating: 0, count: n)
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        // Workspace query first, then the real call.
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0
        var iworkSize: Int32 = 0
        dsyevd_("V", "U", &nn, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)
        guard info == 0 else { throw Failure.lapack(info: info) }
        lwork = Int32(workSize.rounded(.up))
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_("V", "U", &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { throw Failure.lapack(info: info) }
        // LAPACK returns ascending values and the vectors as columns (column-major): column j of
        // the result is a[j * n ..< (j + 1) * n]. Reverse to largest first and fix the signs.
        var vectors = [Double](repeating: 0, count: n * n)
        for rank in 0..<n {
            let column = n - 1 - rank
            let source = a[(column * n)..<((column + 1) * n)]
            var largest = source.startIndex
            for index in source.indices where abs(source[index]) > abs(source[largest]) { largest = index }
            let sign: Double = source[largest] < 0 ? -1 : 1
            for (offset, value) in source.enumerated() { vectors[rank * n + offset] = sign * value }
        }
        self.values = Array(w.reversed())
        self.vectors = vectors
        self.n = n
    }
}
