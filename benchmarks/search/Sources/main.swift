import EntropyGuard
#if canImport(Glibc)
import Glibc
#endif

// search-bench: times SemanticSelector on generated clustered vectors.
//   search-bench run --rows N --mode exact|ivf [--dim 384] [--threshold 0.95] [--batch 8192]
//                    [--probes 8] [--sample 50000] [--out matches.bin] [--f16 (round inputs to Float16)]
//   search-bench compare reference.bin candidate.bin --rows N
//   search-bench audit matches.bin --rows N [--samples 1000]   (brute-force check of sampled decisions)
//   search-bench gemm                                          (sgemm GFLOP/s on this machine)
// `run` prints one line of key=value figures; `compare` prints agreement of candidate with reference.

func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func peakRSSMegabytes() -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 8192)
    let n = fread(&buffer, 1, buffer.count - 1, f)
    let status = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
        return kb / 1024
    }
    return -1
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func writeMatches(_ matches: [SemanticMatch], to path: String) {
    var words: [Int64] = []
    words.reserveCapacity(matches.count * 3)
    for m in matches { words += [m.row, m.duplicateOf, Int64(m.similarity.bitPattern)] }
    let f = fopen(path, "wb")!
    _ = words.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
}

func readMatches(_ path: String) -> [Int64: (Int64, Float)] {
    let f = fopen(path, "rb")!
    fseek(f, 0, SEEK_END)
    let bytes = ftell(f)
    fseek(f, 0, SEEK_SET)
    var words = [Int64](repeating: 0, count: bytes / 8)
    _ = words.withUnsafeMutableBytes { fread($0.baseAddress, 1, bytes, f) }
    fclose(f)
    var out: [Int64: (Int64, Float)] = [:]
    for i in stride(from: 0, to: words.count, by: 3) {
        out[words[i]] = (words[i + 1], Float(bitPattern: UInt32(truncatingIfNeeded: words[i + 2])))
    }
    return out
}

func run(_ args: [String]) {
    let rows = Int(option("rows", args) ?? "100000")!
    let mode = SemanticSearchMode(rawValue: option("mode", args) ?? "ivf")!
    let dim = Int(option("dim", args) ?? "384")!
    let threshold = Float(option("threshold", args) ?? "0.95")!
    let batch = Int(option("batch", args) ?? "8192")!
    let sampleRows = Int(option("sample", args) ?? "50000")!
    let generator = ClusteredVectors(dimension: dim, clusters: max(10, rows / 500))
    let roundToHalf = args.contains("--f16")

    var selector = SemanticSelector(dimension: dim, threshold: threshold, mode: mode, expectedCount: rows)
    if let p = option("probes", args) { selector.probeCount = Int(p)! }
    var trainSeconds = 0.0
    if selector.needsTraining {
        var sample: [Float] = []
        sample.reserveCapacity(sampleRows * dim)
        for row in SemanticSelector.trainingSampleRows(total: rows, limit: sampleRows) {
            generator.generate(start: row, count: 1, into: &sample)
        }
        let t0 = now()
        selector.train(sample: sample)
        trainSeconds = now() - t0
    }
    var matches: [SemanticMatch] = []
    var selectSeconds = 0.0, generateSeconds = 0.0
    var vectors: [Float] = []
    var start = 0
    while start < rows {
        let n = min(batch, rows - start)
        let g0 = now()
        vectors.removeAll(keepingCapacity: true)
        generator.generate(start: start, count: n, into: &vectors)
        if roundToHalf {
            // What Float16 storage would do to the inputs (measured, not used by the library).
            for i in vectors.indices { vectors[i] = Float(Float16(vectors[i])) }
        }
        let t0 = now()
        generateSeconds += t0 - g0
        matches += selector.process(ids: (start..<(start + n)).map(Int64.init), vectors: vectors) { ids in
            // The kept rows' exact vectors, generated again (the pipeline reads them from the store).
            var kept: [Float] = []
            for id in ids { generator.generate(start: Int(id), count: 1, into: &kept) }
            if roundToHalf { for i in kept.indices { kept[i] = Float(Float16(kept[i])) } }
            return kept
        }
        selectSeconds += now() - t0
        start += n
    }
    let planted = (0..<rows).filter { generator.plantedSource(of: $0) != nil }.count
    if let out = option("out", args) { writeMatches(matches, to: out) }
    print("mode=\(mode.rawValue) rows=\(rows) dim=\(dim) lists=\(selector.mode == .ivf ? selector.listCount : 1)"
          + " probes=\(selector.probeCount) train_s=\(fmt(trainSeconds)) select_s=\(fmt(selectSeconds))"
          + " total_s=\(fmt(trainSeconds + selectSeconds)) generate_s=\(fmt(generateSeconds))"
          + " duplicates=\(matches.count) planted=\(planted) kept=\(selector.keptCount)"
          + " peak_rss_mb=\(fmt(peakRSSMegabytes()))")
}

/// One decimal, no Foundation.
func fmt(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

func compare(_ args: [String]) {
    let reference = readMatches(args[1]), candidate = readMatches(args[2])
    let rows = Int(option("rows", args) ?? "0")!
    var same = 0, missed = 0, extra = 0, otherTarget = 0
    for (row, (target, _)) in reference {
        if let c = candidate[row] { if c.0 == target { same += 1 } else { otherTarget += 1 } } else { missed += 1 }
    }
    for row in candidate.keys where reference[row] == nil { extra += 1 }
    let rowsDiffering = missed + extra + otherTarget
    print("reference_duplicates=\(reference.count) candidate_duplicates=\(candidate.count)"
          + " same_decision=\(same) missed=\(missed) extra=\(extra) other_target=\(otherTarget)"
          + " duplicate_agreement_pct=\(format3(100 * Double(same) / Double(max(1, reference.count))))"
          + (rows > 0 ? " row_agreement_pct=\(format3(100 * Double(rows - rowsDiffering) / Double(rows)))" : ""))
}

func format3(_ x: Double) -> String {
    let thousandths = Int((x * 1000).rounded())
    let frac = String(abs(thousandths % 1000))
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "run": run(arguments)
case "compare": compare(arguments)
case "gemm": gemmProbe()
case "audit": audit(arguments)
default: print("usage: search-bench run --rows N --mode exact|ivf ... | search-bench compare ref.bin cand.bin --rows N")
}
