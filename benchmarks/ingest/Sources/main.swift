// ingest-bench: throughput of the ingest layer on generated data, side by side in one run.
//
//   swift build -c release --product ingest-bench
//   .build/release/ingest-bench [--mb 200] [--runs 5] [--dir /tmp] [--special 5] [--only NAME]
//   .build/release/ingest-bench --jsonl data.jsonl [--key text]     # an existing file instead
//
// Generates (once, reused if present) a JSONL file of ~250-byte records and a CSV file with the
// same rows (`--special` % of the words non-ASCII or JSON-escaped), then times each pipeline `runs` times over the warm file and prints the median MB/s.
import EntropyGuard
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var megabytes = 200
    var runs = 5
    var directory = NSTemporaryDirectory()
    /// Run only the measurements whose name contains this text.
    var only = ""
    /// Percentage of words that are non-ASCII or need escapes in JSON.
    var special = 5
    /// An existing JSONL file to measure instead of the generated one (CSV measurements are then skipped).
    var jsonl = ""
    /// The text key for `textField` (the generated data uses "text").
    var key = "text"

    init(_ args: [String]) {
        var k = 1
        while k < args.count {
            let value = k + 1 < args.count ? args[k + 1] : ""
            switch args[k] {
            case "--mb": megabytes = Int(value) ?? megabytes
            case "--runs": runs = Int(value) ?? runs
            case "--dir": directory = value
            case "--only": only = value
            case "--special": special = Int(value) ?? special
            case "--jsonl": jsonl = value
            case "--key": key = value
            default: fatalError("unknown option \(args[k])")
            }
            k += 2
        }
    }
}

/// Deterministic words so every run measures the same bytes.
struct Generator {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let percentSpecial: Int
    let words = ["the", "data", "model", "training", "set", "clean", "duplicate", "text", "of", "and", "a",
                 "for", "with", "language", "entropy", "guard", "pipeline", "record", "value", "filter"]
    /// Non-ASCII words and JSON escapes, used for `percentSpecial`% of the words.
    let specials = ["naïve", "café", "résumé", "“quoted”", "a\\\"b", "tab\\t", "über", "中文", "line\\nbreak"]

    mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state >> 33)
    }

    /// A JSON-escaped sentence of about `length` bytes.
    mutating func sentence(_ length: Int) -> String {
        var s = ""
        while s.utf8.count < length {
            if !s.isEmpty { s += " " }
            s += next() % 100 < percentSpecial ? specials[next() % specials.count] : words[next() % words.count]
        }
        return s
    }
}

func generate(jsonl: String, csv: String, bytes target: Int, percentSpecial: Int) throws {
    let fm = FileManager.default
    if let size = (try? fm.attributesOfItem(atPath: jsonl))?[.size] as? Int, size >= target,
       fm.fileExists(atPath: csv) { return }
    var gen = Generator(percentSpecial: percentSpecial)
    // Create (or empty) both files, then append.
    guard fm.createFile(atPath: jsonl, contents: nil), fm.createFile(atPath: csv, contents: nil),
          let jsonOut = FileHandle(forWritingAtPath: jsonl), let csvOut = FileHandle(forWritingAtPath: csv)
    else { fatalError("cannot create \(jsonl) and \(csv)") }
    csvOut.write("id,text,source,score\n".data(using: .utf8)!)
    var written = 0
    var id = 0
    var jsonChunk = [UInt8](), csvChunk = [UInt8]()
    while written < target {
        let text = gen.sentence(150 + gen.next() % 100)
        let line = "{\"id\":\(id),\"source\":\"gen/\(id % 17)\",\"text\":\"\(text)\",\"score\":0.\(gen.next() % 1000)}\n"
        jsonChunk += line.utf8
        // The CSV text column holds the decoded string (JSON escapes undone), quoted RFC 4180 style.
        let decoded = try JSONScan.decodeString(Array("\"\(text)\"".utf8)[...])
        csvChunk += RecordRewriter.csvRow(["\(id)", decoded, "gen/\(id % 17)", "0.5"]) + [0x0A]
        written += line.utf8.count
        id += 1
        if jsonChunk.count > 1 << 22 {
            jsonOut.write(Data(jsonChunk)); jsonChunk.removeAll(keepingCapacity: true)
            csvOut.write(Data(csvChunk)); csvChunk.removeAll(keepingCapacity: true)
        }
    }
    jsonOut.write(Data(jsonChunk))
    csvOut.write(Data(csvChunk))
    jsonOut.closeFile()
    csvOut.closeFile()
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

/// Runs `body` on a fresh descriptor `runs` times; returns (median MB/s, records, checksum of the last run).
func measure(_ name: String, path: String, bytes: Int? = nil, runs: Int,
             _ body: (Int32) throws -> (records: Int, checksum: Int)) throws {
    if !options.only.isEmpty && !name.contains(options.only) { return }
    var rates: [Double] = []
    var last = (records: 0, checksum: 0)
    let size = bytes ?? fileSize(path)
    for _ in 0..<runs {
        let fd = open(path, O_RDONLY)
        precondition(fd >= 0, "cannot open \(path)")
        let start = now()
        last = try body(fd)
        let seconds = now() - start
        close(fd)
        rates.append(Double(size) / 1e6 / seconds)
    }
    rates.sort()
    let median = rates[rates.count / 2]
    let padded = name.padding(toLength: 50, withPad: " ", startingAt: 0)
    print(padded + String(format: "%8.1f MB/s  (min %7.1f, max %7.1f)  records %d  check %d",
                          median, rates.first!, rates.last!, last.records, last.checksum))
}

let options = Options(CommandLine.arguments)
let stem = options.directory + "/ingest-bench-\(options.megabytes)mb-\(options.special)pct"
let jsonlPath = options.jsonl.isEmpty ? stem + ".jsonl" : options.jsonl
let csvPath = stem + ".csv"
if options.jsonl.isEmpty {
    try generate(jsonl: jsonlPath, csv: csvPath, bytes: options.megabytes * 1_000_000, percentSpecial: options.special)
}
let jsonlBytes = fileSize(jsonlPath)
print("JSONL \(jsonlPath): \(jsonlBytes / 1_000_000) MB"
      + (options.jsonl.isEmpty ? "; CSV \(csvPath): \(fileSize(csvPath) / 1_000_000) MB" : "")
      + "; median of \(options.runs) runs, warm page cache")

// Warm the page cache.
_ = try? Data(contentsOf: URL(fileURLWithPath: jsonlPath), options: .alwaysMapped).count

try measure("JSONLReader (split lines only)", path: jsonlPath, runs: options.runs) { fd in
    var reader = JSONLReader(fileDescriptor: fd, path: jsonlPath)
    var n = 0, check = 0
    while let record = try reader.next() { n += 1; check &+= record.bytes.count }
    return (n, check)
}
try measure("JSONLReader + JSONScan.textField(\"\(options.key)\")", path: jsonlPath, runs: options.runs) { fd in
    var reader = JSONLReader(fileDescriptor: fd, path: jsonlPath)
    var n = 0, check = 0
    while let record = try reader.next() {
        n += 1
        if case .string(let s, _) = try JSONScan.textField(options.key, in: record.bytes) { check &+= s.utf8.count }
    }
    return (n, check)
}
try measure("JSONLReader + JSONScan.fields (all keys)", path: jsonlPath, runs: options.runs) { fd in
    var reader = JSONLReader(fileDescriptor: fd, path: jsonlPath)
    var n = 0, check = 0
    while let record = try reader.next() { n += 1; check &+= try JSONScan.fields(record.bytes).count }
    return (n, check)
}
if options.jsonl.isEmpty {
try measure("CSVReader + fields(of:)", path: csvPath, runs: options.runs) { fd in
    var reader = try CSVReader(fileDescriptor: fd, path: csvPath)
    var n = 0, check = 0
    while let record = try reader.next() { n += 1; check &+= try reader.fields(of: record)[1].value.utf8.count }
    return (n, check)
}
}
// Baseline for comparison: Foundation's JSONSerialization on the same lines (first 20 MB only; it is slow).
let baselineBytes = min(jsonlBytes, 20_000_000)
try measure("baseline: JSONLReader + JSONSerialization (20MB)", path: jsonlPath, bytes: baselineBytes,
            runs: options.runs) { fd in
    var reader = JSONLReader(fileDescriptor: fd, path: jsonlPath)
    var n = 0, check = 0
    while let record = try reader.next(), record.endOffset <= baselineBytes {
        n += 1
        let object = try JSONSerialization.jsonObject(with: Data(record.bytes)) as? [String: Any]
        check &+= (object?[options.key] as? String)?.utf8.count ?? 0
    }
    return (n, check)
}
