/// How far below its threshold a dedup stage records a kept row's best score (table near_misses).
/// 0.05 covers the report's what-ifs (threshold ± 0.02) and a histogram of five 0.01 bands under the
/// threshold. Wider costs the semantic search an exact dot product for every GEMM score above the lower
/// floor, and the fuzzy stage nothing (it verifies every LSH candidate anyway). The semantic cost was
/// not measured side by side yet (issue 17's report lists it).
enum NearMissWindow {
    static let width = 0.05
}
