/// Several Parquet files read as one input: in sorted order (paths compared byte for byte, so the
/// order does not depend on the locale), each with the first file's schema. Finding the files (a
/// directory, a glob) is the caller's business; this type fixes their order and checks they agree.
///
/// Only one file is open at a time: `init` reads each footer once to check its schema and closes it,
/// and `forEachRowGroup` opens the files again one after the other (no descriptor per file held, so a
/// dataset of thousands of files stays under the process's limit).
public final class ParquetDataset {
    /// The files, sorted.
    public let paths: [String]
    /// The schema every file has (the first file's).
    public let schema: ParquetFileSchema
    /// Rows per file, in `paths` order.
    public let rowCounts: [Int64]
    public let options: ParquetReaderOptions

    /// Opens every footer and checks that each file's leaf columns are the first file's (names,
    /// physical and logical types, levels).
    /// - Throws: `ParquetReadError` (the file's own, or `.schemaMismatch` naming the first difference).
    public init(paths: [String], options: ParquetReaderOptions = .init()) throws {
        precondition(!paths.isEmpty, "a dataset needs at least one file")
        let sorted = paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.paths = sorted
        self.options = options
        var schema: ParquetFileSchema?
        var rowCounts: [Int64] = []
        for path in sorted {
            let reader = try ParquetFileReader(path: path, options: options)
            if let first = schema {
                if let difference = Self.difference(first, reader.schema) {
                    throw ParquetReadError(file: path, problem: .schemaMismatch(difference))
                }
            } else {
                schema = reader.schema
            }
            rowCounts.append(reader.rowCount)
        }
        self.schema = schema!
        self.rowCounts = rowCounts
    }

    /// Rows in all the files.
    public var rowCount: Int64 { rowCounts.reduce(0, +) }

    /// Calls `body` with each row group of each file in order (`file` indexes `paths`), one row group
    /// in memory at a time, with the top-level `fields` given (all when nil).
    public func forEachRowGroup(fields: [Int]? = nil, _ body: (_ file: Int, _ group: ParquetRowGroup) throws -> Void) throws {
        for (index, path) in paths.enumerated() {
            let reader = try ParquetFileReader(path: path, options: options)
            if let difference = Self.difference(schema, reader.schema) {
                throw ParquetReadError(file: path, problem: .schemaMismatch("changed since the dataset was opened: \(difference)"))
            }
            for group in 0..<reader.rowGroupCount {
                try body(index, try reader.readRowGroup(group, fields: fields))
            }
        }
    }

    /// The first difference between two schemas' fields and leaves, or nil when they agree.
    static func difference(_ a: ParquetFileSchema, _ b: ParquetFileSchema) -> String? {
        guard a.fieldNames.map({ Array($0.utf8) }) == b.fieldNames.map({ Array($0.utf8) }) else {
            return "fields \(b.fieldNames), expected \(a.fieldNames)"
        }
        guard a.leaves.count == b.leaves.count else { return "\(b.leaves.count) leaf columns, expected \(a.leaves.count)" }
        for (x, y) in zip(a.leaves, b.leaves) {
            if x.path.map({ Array($0.utf8) }) != y.path.map({ Array($0.utf8) }) { return "column \(y.dottedPath), expected \(x.dottedPath)" }
            if x.physicalType != y.physicalType || x.typeLength != y.typeLength || x.logicalType != y.logicalType {
                func type(_ leaf: ParquetLeafColumn) -> String { "\(leaf.physicalType)" + (leaf.logicalType.map { " (\($0))" } ?? "") }
                return "column \(y.dottedPath) is \(type(y)), expected \(type(x))"
            }
            if x.maxDefinitionLevel != y.maxDefinitionLevel || x.maxRepetitionLevel != y.maxRepetitionLevel {
                return "column \(y.dottedPath) has other nullability or nesting"
            }
        }
        return nil
    }
}
