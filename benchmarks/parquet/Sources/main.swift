// Writes N rows of (id int64, text ~200-byte string, score double) with ParquetWriter and prints
// the writer's wall and CPU time (append + close; data generation excluded) and the file size as JSON.
// Usage: parquet-bench <out.parquet> [rows] [zstd-level (0 = uncompressed)] [rows|columns]
import Foundation
import Parquet
import SplitMix


let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: parquet-bench <out.parquet> [rows] [zstd-level] [rows|columns]\n".utf8))
    exit(2)
}
let outPath = arguments[1]
let rowCount = arguments.count > 2 ? Int(arguments[2])! : 1_000_000
let level = arguments.count > 3 ? Int32(arguments[3])! : 3
let columnar = arguments.count > 4 && arguments[4] == "columns"

// Text-like strings: ~200 bytes of words drawn from a fixed 2,000-word vocabulary (deterministic).
var rng = SplitMix64(seed: 42)
let letters = Array("etaoinshrdlucmfwypvbgkqjxz".utf8)
let vocabulary: [String] = (0..<2_000).map { _ in
    let length = Int.random(in: 2...10, using: &rng)
    // Skewed letter choice so the text has natural-language-like letter frequencies.
    return String(decoding: (0..<length).map { _ in letters[Int(Double(letters.count) * pow(Double.random(in: 0..<1, using: &rng), 2))] }, as: UTF8.self)
}
var rows: [[ParquetValue]] = []
rows.reserveCapacity(rowCount)
for i in 0..<rowCount {
    var text = ""
    while text.utf8.count < 190 {
        text += vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)]
        text += " "
    }
    rows.append([.int64(Int64(i)), .string(text), .double(Double.random(in: 0..<1, using: &rng))])
}
let columns = [ParquetColumn(name: "id", type: .int64, optional: false),
               ParquetColumn(name: "text", type: .string, optional: false),
               ParquetColumn(name: "score", type: .double, optional: false)]
let batch: [[ParquetValue]] = columnar ? columns.indices.map { c in rows.map { $0[c] } } : []

let options = ParquetWriterOptions(compression: level == 0 ? .uncompressed : .zstd(level: level),
                                   createdBy: "entropyguard bench")
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
let start = DispatchTime.now().uptimeNanoseconds
let cpuStart = processCPUSeconds()
let writer = try ParquetWriter(path: outPath, columns: columns, options: options)
if columnar {
    try writer.append(columns: batch)
} else {
    for row in rows { try writer.append(row) }
}
try writer.close()
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let cpuSeconds = processCPUSeconds() - cpuStart
let size = (try FileManager.default.attributesOfItem(atPath: outPath)[.size] as? NSNumber)?.intValue ?? -1
print("{\"seconds\": \(seconds), \"cpu_seconds\": \(cpuSeconds), \"bytes\": \(size), \"row_groups\": \(writer.rowGroupCount)}")
