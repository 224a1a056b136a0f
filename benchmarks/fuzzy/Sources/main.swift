import Foundation
import MinHash

// fuzzy-bench: the MinHash engine alone on a file of texts (prepare.py writes it: each text as a
// little-endian UInt32 byte count and its UTF-8 bytes). Streams batches: signatures on `threads`
// threads, then the keep-first selection, timing each part (wall and CPU seconds), and prints one
// JSON line. Drops can be written as TSV (row, duplicate_of, similarity) for the quality evaluation.
//
//   fuzzy-bench TEXTS.bin [--threads 2] [--perms 128] [--shingle words:5] [--threshold 0.8]
//               [--bands B --rows R] [--batch 10000] [--block-rows N] [--tmp DIR] [--drops OUT.tsv]
//               [--label NAME] [--pipelined]
//
// Figures: signatures_per_s (wall, signature part only), selection_rows_per_s (wall, selection only,
// sequential mode), rows_per_s (the whole engine, wall, reading excluded), and per CPU-second (all
// threads' user + system time), which the other jobs of a shared machine disturb much less.

struct Options {
    var path = ""
    var threads = 2
    var permutations = MinHasher.defaultPermutations
    var shingle = ShingleSetting.defaultSetting
    var threshold = 0.8
    var bands: Int?
    var rows: Int?
    var batch = 10_000
    var blockRows = FuzzySelector.defaultBlockRows
    var temporary = NSTemporaryDirectory()
    var drops: String?
    var label = "fuzzy"
    var pipelined = false
}

func parse() throws -> Options {
    var options = Options()
    var arguments = Array(CommandLine.arguments.dropFirst())
    func value() -> String {
        guard !arguments.isEmpty else { fatalError("missing value") }
        return arguments.removeFirst()
    }
    while !arguments.isEmpty {
        let argument = arguments.removeFirst()
        switch argument {
        case "--threads": options.threads = Int(value())!
        case "--perms": options.permutations = Int(value())!
        case "--shingle": options.shingle = try ShingleSetting(parsing: value())
        case "--threshold": options.threshold = Double(value())!
        case "--bands": options.bands = Int(value())!
        case "--rows": options.rows = Int(value())!
        case "--batch": options.batch = Int(value())!
        case "--block-rows": options.blockRows = Int(value())!
        case "--tmp": options.temporary = value()
        case "--drops": options.drops = value()
        case "--label": options.label = value()
        case "--pipelined": options.pipelined = true
        default: options.path = argument
        }
    }
    return options
}

/// Streaming reader of the length-prefixed texts.
final class TextFile {
    private let handle: FileHandle
    private var buffer = Data()
    private var offset = 0

    init(path: String) throws { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) }

    private func fill(_ needed: Int) -> Bool {
        if buffer.count - offset >= needed { return true }
        buffer = buffer.subdata(in: offset..<buffer.count)
        offset = 0
        while buffer.count < needed {
            guard let more = try? handle.read(upToCount: max(4 << 20, needed)), !more.isEmpty else { return false }
            buffer.append(more)
        }
        return true
    }

    func next(_ count: Int) -> [String] {
        var texts: [String] = []
        texts.reserveCapacity(count)
        while texts.count < count, fill(4) {
            let length = buffer.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
            guard fill(4 + length) else { break }
            let text = buffer.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[(offset + 4)..<(offset + 4 + length)]), as: UTF8.self) }
            texts.append(text)
            offset += 4 + length
        }
        return texts
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 +
        Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let options = try parse()
let hasher = try MinHasher(setting: options.shingle, permutations: options.permutations)
let lsh: LSHParameters
if let bands = options.bands, let rows = options.rows {
    lsh = try LSHParameters(bands: bands, rows: rows, threshold: options.threshold, permutations: options.permutations)
} else {
    lsh = try LSHParameters(threshold: options.threshold, permutations: options.permutations)
}
FileHandle.standardError.write("fuzzy-bench: \(lsh) kernel \(hasher.kernel.rawValue)\n".data(using: .utf8)!)
let selector = try FuzzySelector(lsh: lsh, temporaryDirectory: options.temporary, blockRows: options.blockRows)
let file = try TextFile(path: options.path)

// Sequential (signatures of a batch, then its selection) or pipelined: the selection of batch k runs on
// its own thread while batch k + 1's signatures are computed, one batch in flight, as a stage can.
var signatureWall = 0.0, signatureCPU = 0.0, selectionWall = 0.0, selectionCPU = 0.0, readWall = 0.0
var rows = 0
var bytes = 0
let selectionQueue = DispatchQueue(label: "selection")
var dropped: [FuzzyDrop] = []    // kept only with --drops; otherwise counted and let go, as a stage writes them
var droppedCount = 0
func collect(_ drops: [FuzzyDrop]) {
    droppedCount += drops.count
    if options.drops != nil { dropped += drops }
}
var pending: DispatchWorkItem?
var selectionError: Error?
let start = Date()
while true {
    var t = Date()
    let texts = file.next(options.batch)
    readWall += Date().timeIntervalSince(t)
    if texts.isEmpty { break }
    t = Date()
    let c = cpuSeconds()
    let signatures = hasher.signatures(of: texts, workers: options.threads)
    signatureWall += Date().timeIntervalSince(t)
    signatureCPU += cpuSeconds() - c
    let ids = (0..<texts.count).map { Int64(rows + $0) }
    rows += texts.count
    for text in texts { bytes += text.utf8.count }
    if options.pipelined {
        pending?.wait()
        let work = DispatchWorkItem {
            do {
                try selector.append(signatures, rowIDs: ids)
                collect(selector.takeDrops())
            } catch { selectionError = error }
        }
        pending = work
        selectionQueue.async(execute: work)
    } else {
        t = Date()
        let c = cpuSeconds()
        try selector.append(signatures, rowIDs: ids)
        collect(selector.takeDrops())
        selectionWall += Date().timeIntervalSince(t)
        selectionCPU += cpuSeconds() - c
    }
}
pending?.wait()
if let selectionError { throw selectionError }
let t = Date()
let c = cpuSeconds()
collect(try selector.finish())
selectionWall += Date().timeIntervalSince(t)
selectionCPU += cpuSeconds() - c
let total = Date().timeIntervalSince(start)
let totalCPU = cpuSeconds()

if let path = options.drops {
    var out = "row\tduplicate_of\tsimilarity\n"
    for drop in dropped { out += "\(drop.row)\t\(drop.duplicateOf)\t\(drop.similarity)\n" }
    try out.write(toFile: path, atomically: true, encoding: .utf8)
}

let s = selector.statistics
func r(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
let summary: [String: Any] = [
    "impl": "entropyguard-minhash", "label": options.label, "rows": rows, "mean_bytes": rows > 0 ? bytes / rows : 0,
    "threads": options.threads, "perms": options.permutations, "shingle": options.shingle.description,
    "threshold": options.threshold, "bands": lsh.bands, "rows_per_band": lsh.rows, "kernel": hasher.kernel.rawValue,
    "block_rows": options.blockRows,
    "signature_s": r(signatureWall), "signature_cpu_s": r(signatureCPU), "signatures_per_s": Int(Double(rows) / signatureWall),
    "selection_s": r(selectionWall), "selection_cpu_s": r(selectionCPU),
    "selection_rows_per_s": options.pipelined ? 0 : Int(Double(rows) / selectionWall),
    "pipelined": options.pipelined, "read_s": r(readWall), "total_s": r(total), "total_cpu_s": r(totalCPU),
    "rows_per_s": Int(Double(rows) / (total - readWall)), "rows_per_cpu_s": Int(Double(rows) / totalCPU),
    "drops": droppedCount,
    "candidate_pairs": s.candidatePairs, "rejected_pairs": s.rejectedPairs, "blocks": s.blocks,
    "merged_run_entries": s.mergedRunEntries, "peak_rss_mb": r(peakRSSMegabytes()),
]
let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
