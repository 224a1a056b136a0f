// tokenizer-bench: the byte WordPiece tokenizer against the scalar one it replaced (compiled from the
// test target's ReferenceWordPieceTokenizer.swift through a symlink), on a file of texts (one JSON
// string per line). Checks that every text gets the same ids, then times each entry point and prints
// one JSON line per implementation with the median of `repeats` runs (benchmarks/tokenizer/run.sh).
import Foundation
import MiniLM

struct Options {
    var textsPath = ""
    var vocabularyPath = ""
    var label = "texts"
    var repeats = 5
    var idsOut = ""
    var timed = true
    /// `no` skips timing the old tokenizer (for profiling the new one alone).
    var old = true
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let flag = arguments.next() {
        guard let value = arguments.next() else { break }
        switch flag {
        case "--texts": options.textsPath = value
        case "--vocab": options.vocabularyPath = value
        case "--label": options.label = value
        case "--repeats": options.repeats = max(1, Int(value) ?? options.repeats)
        case "--ids-out": options.idsOut = value
        case "--timed": options.timed = value != "no"
        case "--old": options.old = value != "no"
        default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(64)
        }
    }
    return options
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// User + system CPU time of the whole process (all threads). On a shared machine the wall clock
/// says how many other jobs ran; CPU time says what the work cost.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

struct Measurement {
    var median: Double
    var runs: [Double]
    var cpuMedian: Double
    var ids: Int
}

/// Median texts/s (wall clock and per CPU-second) of `repeats` passes of `body` over all texts;
/// `body` returns the ids it produced (a checksum, so that no pass can be optimized away).
func measure(_ repeats: Int, texts: Int, _ body: () -> Int) -> Measurement {
    var rates: [Double] = []
    var cpuRates: [Double] = []
    var ids = 0
    for _ in 0..<repeats {
        let start = now()
        let cpuStart = processCPUSeconds()
        ids = body()
        rates.append(Double(texts) / (now() - start))
        cpuRates.append(Double(texts) / max(processCPUSeconds() - cpuStart, 1e-6))
    }
    return Measurement(median: rates.sorted()[rates.count / 2], runs: rates,
                       cpuMedian: cpuRates.sorted()[cpuRates.count / 2], ids: ids)
}

let options = parseOptions()
let texts: [String]
do {
    let content = try String(contentsOfFile: options.textsPath, encoding: .utf8)
    texts = try content.split(separator: "\n").map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
} catch {
    FileHandle.standardError.write(Data("tokenizer-bench: cannot read \(options.textsPath): \(error)\n".utf8))
    exit(66)
}
let vocabulary = URL(fileURLWithPath: options.vocabularyPath)
let fast = try WordPieceTokenizer(vocabularyURL: vocabulary, lowercase: true, maxLength: 256)
let reference = try ReferenceWordPieceTokenizer(vocabularyURL: vocabulary, lowercase: true, maxLength: 256)
let bytes = texts.reduce(0) { $0 + $1.utf8.count }

// Equality first, on every text: the speed of a tokenizer that differs would mean nothing.
var mismatches = 0
var idsText = ""
for text in texts {
    let ids = fast.encode(text)
    if ids != reference.encode(text) {
        mismatches += 1
        if mismatches <= 3 { FileHandle.standardError.write(Data("tokenizer-bench: differs on \(text.debugDescription)\n".utf8)) }
    }
    if !options.idsOut.isEmpty { idsText += ids.map(String.init).joined(separator: " ") + "\n" }
}
if !options.idsOut.isEmpty { try idsText.write(toFile: options.idsOut, atomically: true, encoding: .utf8) }
print("{\"check\": \"byte vs scalar tokenizer\", \"texts\": \"\(options.label)\", \"n\": \(texts.count), "
    + "\"mismatches\": \(mismatches)}")
guard options.timed else { exit(mismatches == 0 ? 0 : 1) }

func report(_ impl: String, threads: Int = 1, _ result: Measurement) {
    let runs = result.runs.map { String(format: "%.0f", $0) }.joined(separator: ", ")
    let tokensPerText = Double(result.ids) / Double(texts.count)
    print("{\"impl\": \"\(impl)\", \"texts\": \"\(options.label)\", \"n\": \(texts.count), \"threads\": \(threads), "
        + "\"mean_bytes\": \(String(format: "%.1f", Double(bytes) / Double(texts.count))), "
        + "\"mean_tokens\": \(String(format: "%.1f", tokensPerText)), \"runs_texts_per_s\": [\(runs)], "
        + "\"median_texts_per_s\": \(String(format: "%.0f", result.median)), "
        + "\"median_tokens_per_s\": \(String(format: "%.0f", result.median * tokensPerText)), "
        + "\"median_texts_per_cpu_s\": \(String(format: "%.0f", result.cpuMedian))}")
}

if options.old {
    report("swift-scalar (old)", measure(options.repeats, texts: texts.count) {
        texts.reduce(0) { $0 + reference.encode($1).count }
    })
}
report("swift-bytes encode(_:)", measure(options.repeats, texts: texts.count) {
    texts.reduce(0) { $0 + fast.encode($1).count }
})
report("swift-bytes encode(_:into:)", measure(options.repeats, texts: texts.count) {
    var ids: [Int32] = []
    var total = 0
    for text in texts {
        fast.encode(text, into: &ids)
        total += ids.count
    }
    return total
})
// Two threads, each on half of the texts with its own buffer: what a 2-core embedding stage gets.
report("swift-bytes encode(_:into:)", threads: 2, measure(options.repeats, texts: texts.count) {
    let totals = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
    defer { totals.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 2) { half in
        var ids: [Int32] = []
        var total = 0
        for index in stride(from: half, to: texts.count, by: 2) {
            fast.encode(texts[index], into: &ids)
            total += ids.count
        }
        totals[half] = total
    }
    return totals[0] + totals[1]
})
exit(mismatches == 0 ? 0 : 1)
