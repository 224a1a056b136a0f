// Reads a Parquet file with ParquetFileReader and prints wall and CPU time as JSON.
// Usage: parquet-read-bench <file.parquet> [columns|rows]
//   columns: every row group decoded into its columns (what pyarrow's read_table does);
//   rows:    that, plus every row handed out as [ParquetFieldValue] (strings made Swift Strings).
// A checksum of what was read (rows, text bytes) shows the work was done.
import Foundation
import Parquet

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: parquet-read-bench <file.parquet> [columns|rows]\n".utf8))
    exit(2)
}
let path = arguments[1]
let mode = arguments.count > 2 ? arguments[2] : "columns"

func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
let start = DispatchTime.now().uptimeNanoseconds
let cpuStart = processCPUSeconds()
let reader = try ParquetFileReader(path: path)
var rows = 0
var textBytes = 0
for g in 0..<reader.rowGroupCount {
    let group = try reader.readRowGroup(g)
    rows += group.rowCount
    if mode == "rows" {
        var iterator = group.makeRowIterator()
        var row: [ParquetFieldValue] = []
        while iterator.next(into: &row) {
            for value in row {
                if case .string(let s) = value { textBytes += s.utf8.count }
            }
        }
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let cpuSeconds = processCPUSeconds() - cpuStart
print("{\"seconds\": \(seconds), \"cpu_seconds\": \(cpuSeconds), \"rows\": \(rows), \"text_bytes\": \(textBytes), \"row_groups\": \(reader.rowGroupCount)}")
