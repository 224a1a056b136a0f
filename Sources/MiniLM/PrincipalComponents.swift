import COpenBLAS

/// Principal component analysis as scikit-learn's `PCA(n_components: k, svd_solver: "full")` does it
/// for model2vec: centre the rows, take the top-k eigenvectors of their covariance, project.
/// Everything runs in double precision (the covariance through BLAS `dsyrk`, the eigenvectors by
/// LAPACK `dsyevd`), single-threaded inside OpenBLAS, so a machine always gives the same result.
struct PrincipalComponents {
    /// Input width.
    let inputDimension: Int
    /// Number of components kept.
    let dimension: Int
    /// Column means of the fitted rows.
    let mean: [Double]
    /// `dimension` rows of `inputDimension`: the principal axes, largest variance first.
    let components: [Double]
    /// Variance along each kept axis (covariance eigenvalues, divided by rows - 1).
    let explainedVariance: [Double]
    /// Share of the total variance the kept axes explain.
    let explainedVarianceRatio: Double

    /// Fits on `rows` rows of `inputDimension` floats, keeping `dimension` components.
    init(fitting data: UnsafeBufferPointer<Float>, rows: Int, inputDimension d: Int, dimension k: Int) throws {
        precondition(rows > 1 && data.count == rows * d && (1...d).contains(k))
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<rows {
            let base = row * d
            for column in 0..<d { mean[column] += Double(data[base + column]) }
        }
        for column in 0..<d { mean[column] /= Double(rows) }
        let centered = Self.centered(data, rows: rows, d: d, mean: mean)
        // Covariance (upper triangle) = Xcᵀ Xc / (rows - 1).
        var covariance = [Double](repeating: 0, count: d * d)
        OpenBLASRuntime.setThreads(1)
        centered.withUnsafeBufferPointer { x in
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(rows), 1 / Double(rows - 1),
                        x.baseAddress, Int32(d), 0, &covariance, Int32(d))
        }
        for i in 0..<d { for j in 0..<i { covariance[i * d + j] = covariance[j * d + i] } }
        let eigen = try SymmetricEigen(symmetric: covariance, n: d)
        let total = eigen.values.reduce(0, +)
        self.inputDimension = d
        self.dimension = k
        self.mean = mean
        self.components = Array(eigen.vectors[0..<(k * d)])
        self.explainedVariance = Array(eigen.values[0..<k])
        self.explainedVarianceRatio = total > 0 ? explainedVariance.reduce(0, +) / total : 0
    }

    /// `(rows - mean) · componentsᵀ`: `rows` rows of `dimension` floats.
    func transform(_ data: UnsafeBufferPointer<Float>, rows: Int) -> [Float] {
        let d = inputDimension, k = dimension
        precondition(data.count == rows * d)
        let centered = Self.centered(data, rows: rows, d: d, mean: mean)
        var projected = [Double](repeating: 0, count: rows * k)
        OpenBLASRuntime.setThreads(1)
        centered.withUnsafeBufferPointer { x in
            components.withUnsafeBufferPointer { c in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(k), Int32(d), 1,
                            x.baseAddress, Int32(d), c.baseAddress, Int32(d), 0, &projected, Int32(k))
            }
        }
        return projected.map { Float($0) }
    }

    private static func centered(_ data: UnsafeBufferPointer<Float>, rows: Int, d: Int, mean: [Double]) -> [Double] {
        var centered = [Double](repeating: 0, count: rows * d)
        for row in 0..<rows {
            let base = row * d
            for column in 0..<d { centered[base + column] = Double(data[base + column]) - mean[column] }
        }
        return centered
    }
}
