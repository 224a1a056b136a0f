// swift-tools-version:6.0
import PackageDescription

// The benchmarks' executables, apart from the product so that `make test` never compiles them (as
// apple/swift-collections keeps its Benchmarks/). Each folder's run.sh builds what it needs with
// `swift build -c release --package-path benchmarks --product NAME`.
let package = Package(
    name: "EntropyGuardBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "EntropyGuard", path: ".."),
    ],
    targets: [
        // cblas for the search benchmark's GEMM probe (the product's COpenBLAS module is internal).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // Semantic-dedup search on generated vectors (search/run.sh).
        .executableTarget(name: "search-bench", dependencies: [
            .product(name: "EntropyGuard", package: "EntropyGuard"),
            .product(name: "SplitMix", package: "EntropyGuard"),
            "CBLAS",
        ], path: "search/Sources"),
        // Ingest scanner throughput (ingest/run.sh).
        .executableTarget(name: "ingest-bench", dependencies: [.product(name: "EntropyGuard", package: "EntropyGuard")],
                          path: "ingest/Sources"),
        // Throughput of the cleaning functions (cleaning/run.sh).
        .executableTarget(name: "cleaning-bench", dependencies: [.product(name: "EntropyGuard", package: "EntropyGuard")],
                          path: "cleaning/Sources"),
        // The Parquet writer against pyarrow (parquet/run.sh).
        .executableTarget(name: "parquet-bench", dependencies: [
            .product(name: "Parquet", package: "EntropyGuard"),
            .product(name: "SplitMix", package: "EntropyGuard"),
        ], path: "parquet/Sources"),
        // The Parquet reader against pyarrow (parquet/read.sh).
        .executableTarget(name: "parquet-read-bench", dependencies: [.product(name: "Parquet", package: "EntropyGuard")],
                          path: "parquet/ReadSources"),
        // The MinHash engine: signatures/s, selection rows/s, peak RSS (fuzzy/run.sh).
        .executableTarget(name: "fuzzy-bench", dependencies: [.product(name: "MinHash", package: "EntropyGuard")],
                          path: "fuzzy/Sources"),
        // The byte WordPiece tokenizer against the scalar one it replaced (tokenizer/run.sh).
        .executableTarget(name: "tokenizer-bench", dependencies: [.product(name: "MiniLM", package: "EntropyGuard")],
                          path: "tokenizer/Sources"),
        // MiniLM embedding throughput (minilm/run.sh).
        .executableTarget(name: "minilm-bench", dependencies: [.product(name: "MiniLM", package: "EntropyGuard")],
                          path: "minilm/Sources"),
        // Static model against MiniLM, texts/s, and the share of tokenization (static/run.sh).
        .executableTarget(name: "static-bench", dependencies: [.product(name: "MiniLM", package: "EntropyGuard")],
                          path: "static/Sources"),
    ],
    swiftLanguageModes: [.v5]
)
