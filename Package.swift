// swift-tools-version:6.0
import PackageDescription

// The benchmarks' executables live in their own package (benchmarks/Package.swift), so `make test`
// does not compile them.
let package = Package(
    name: "EntropyGuard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "entropyguard", targets: ["entropyguard"]),
        .library(name: "EntropyGuard", targets: ["EntropyGuard"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "MiniLM", targets: ["MiniLM"]),
        .library(name: "SplitMix", targets: ["SplitMix"]),
        .library(name: "MinHash", targets: ["MinHash"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian, as system-library targets.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash",
                       providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        // The Parquet reader's other codecs: SNAPPY, GZIP (and page CRCs), LZ4_RAW/LZ4, BROTLI.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", pkgConfig: "snappy",
                       providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CBrotli", path: "Sources/CBrotli", pkgConfig: "libbrotlidec",
                       providers: [.apt(["libbrotli-dev"])]),

        // sqlite3_config is variadic (not callable from Swift): a two-line C shim.
        .target(name: "CSQLiteSupport", dependencies: ["CSQLite"]),

        // The one seeded generator (SplitMix64): IVF sampling, seeded tests, benchmark data.
        .target(name: "SplitMix"),
        // Parquet writer and reader: depend on nothing else in the project, only on C system libraries.
        .target(name: "Parquet", dependencies: ["CZstd", "CSnappy", "CZlib", "CLZ4", "CBrotli"]),
        // AVX-512 element-wise kernels for MiniLM, chosen at run time (target attributes, no unsafe flags).
        .target(name: "CMiniLMKernels"),
        // all-MiniLM-L6-v2 (and other BERT sentence-transformers) on OpenBLAS.
        .target(name: "MiniLM", dependencies: ["COpenBLAS", "CMiniLMKernels"]),
        // AVX-512 and AVX2 MinHash permutation kernels, chosen at run time (target attributes, no unsafe flags).
        .target(name: "CMinHashKernels"),
        // The IVF search's scores of bfloat16 kept rows: AMX-BF16 and AVX2 kernels, chosen at run time (target
        // attributes, no unsafe flags).
        .target(name: "CSearchKernels"),
        // Fuzzy dedup's engine: shingles, MinHash signatures, LSH banding, the keep-first selection.
        .target(name: "MinHash", dependencies: ["CXXHash", "CMinHashKernels", "SplitMix"]),
        // The pipeline: store, ingest, stages, search, output.
        .target(name: "EntropyGuard", dependencies: ["CSQLite", "CSQLiteSupport", "CXXHash", "COpenBLAS", "Parquet", "MiniLM",
                                                     "MinHash", "SplitMix", "CSearchKernels"],
                // stages.sql is the readable copy of what StageSchemaSQL generates (checked by StageListTests).
                exclude: ["Schema/stages.sql"],
                resources: [
                    .embedInCode("Schema/pragmas.sql"),
                    .embedInCode("Schema/tables.sql"),
                    .embedInCode("Schema/views.sql"),
                ]),
        .executableTarget(name: "entropyguard", dependencies: [
            "EntropyGuard", "Parquet", "MinHash", "MiniLM",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // CLZ4: the tests frame legacy Hadoop LZ4 pages themselves (no writer at hand makes them).
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "SplitMix", "CLZ4"]),
        .testTarget(name: "MiniLMTests", dependencies: ["MiniLM", "CMiniLMKernels", "COpenBLAS", "SplitMix"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MinHashTests", dependencies: ["MinHash", "CMinHashKernels", "SplitMix"]),
        .testTarget(name: "EntropyGuardTests", dependencies: ["EntropyGuard", "SplitMix"]),
        .testTarget(name: "CLITests", dependencies: ["EntropyGuard", "SplitMix"]),
        // A toy stage added through the stage registry alone, with the library's public API only.
        .testTarget(name: "StageRegistryTests", dependencies: ["EntropyGuard"]),
        // The CLI's options: fixed choices, defaults, the settings file's keys.
        .testTarget(name: "CommandTests", dependencies: [
            "entropyguard", "EntropyGuard", "MinHash",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
