#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The start of a Parquet file this writer wrote earlier, which a new `ParquetWriter` can take over
/// instead of encoding its rows again: its bytes up to its last row group, copied as they are, and
/// those row groups' footer entries, copied as they are too.
///
/// Why that gives the file a writer would write over the same rows followed by more: the writer
/// closes a row group when its encoded data reaches `rowGroupByteLimit`, and every row group starts
/// afresh (its own dictionaries, pages and statistics), so its groups depend only on their own rows.
/// Over more rows the writer makes the same groups up to the earlier file's last one, which was
/// closed early because the rows ended; that one is encoded again from its first row. The kept
/// groups' offsets stay valid because the bytes before them are the same.
///
/// The caller must know that the file's rows are the first rows it will write (the snapshots and
/// outputs of an append: the file's hash was recorded when it was written, and the caller checks it
/// while the writer copies the prefix, through the writer's `observer`). This type checks only
/// its structure: a footer that does not parse, a single row group (nothing to keep), or (in the
/// writer) another schema, key-value metadata or created_by → the writer writes the whole file.
public struct ParquetFilePrefix {
    /// The earlier file, open for reading (owned by the caller, who keeps it open until the writer closes).
    public let descriptor: Int32
    /// Bytes to copy: the magic and every row group but the last.
    public let byteCount: Int64
    /// Rows in the row groups kept: the writer's caller skips that many of its rows.
    public let rowCount: Int
    /// The row groups kept: how many, and their footer entries (Thrift compact struct bodies) end to end.
    let rowGroupCount: Int
    let rowGroupBytes: [UInt8]
    /// The footer's bytes outside `num_rows` and `row_groups`, which the new file's footer must repeat.
    let footerHead: [UInt8]
    /// The smallest value of the first column in the last row group (the one the writer encodes again),
    /// from its statistics, read as an INT64 (nil without statistics or when they are not 8 bytes): a
    /// caller whose first column is an INT64 numbering its rows in increasing order learns there,
    /// without counting rows, at which of its rows the new file's encoding starts.
    public let firstColumnMinimumOfLastGroup: Int64?
    let footerTail: [UInt8]

    /// Reads the footer of the file open as `descriptor`; nil when there is nothing to keep or the
    /// footer cannot be read.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size >= 12 else { return nil }
        let size = Int64(info.st_size)
        var trailer = [UInt8](repeating: 0, count: 8)
        guard trailer.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress, 8, off_t(size - 8)) }) == 8,
              Array(trailer[4...]) == Array("PAR1".utf8) else { return nil }
        let length = Int64(trailer[0]) | Int64(trailer[1]) << 8 | Int64(trailer[2]) << 16 | Int64(trailer[3]) << 24
        guard length > 0, length <= size - 12 else { return nil }
        var footer = [UInt8](repeating: 0, count: Int(length))
        guard footer.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress, Int(length), off_t(size - 8 - length)) }) == Int(length),
              let layout = FooterLayout(footer), layout.rowGroups.count > 1 else { return nil }
        let kept = layout.rowGroups.dropLast()
        self.descriptor = descriptor
        byteCount = layout.rowGroups.last!.start
        guard byteCount > 4, byteCount <= size - 8 - length else { return nil }
        rowCount = Int(kept.reduce(0) { $0 + $1.rows })
        rowGroupCount = kept.count
        rowGroupBytes = Array(footer[kept.first!.entry.lowerBound..<kept.last!.entry.upperBound])
        footerHead = Array(footer[..<layout.head])
        footerTail = Array(footer[layout.tail...])
        firstColumnMinimumOfLastGroup = layout.rowGroups.last!.firstColumnMinimum.flatMap { bytes in
            bytes.count == 8 ? bytes.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) } : nil
        }
    }

    /// Whether a footer of this writer (`template`: its FileMetaData without row groups) has the
    /// earlier file's schema, key-value metadata and created_by, byte for byte.
    func matches(template: [UInt8]) -> Bool {
        guard let layout = FooterLayout(template) else { return false }
        return Array(template[..<layout.head]) == footerHead && Array(template[layout.tail...]) == footerTail
    }
}

/// Where the parts of a FileMetaData encoded by `ThriftCompactEncoder` are: the bytes before field 3
/// (`num_rows`), the row groups' entries (their rows and the offset of their first column chunk),
/// and the bytes after field 4 (`row_groups`). Fields 3 and 4 are adjacent in our footers.
struct FooterLayout {
    struct Group {
        var entry: Range<Int>
        var rows: Int64
        var start: Int64
        /// The first column chunk's statistics min_value (PLAIN bytes), when present.
        var firstColumnMinimum: [UInt8]?
    }
    var head = 0
    var tail = 0
    var rowGroups: [Group] = []

    private init() {}

    init?(_ footer: [UInt8]) {
        var parsed: FooterLayout?
        footer.withUnsafeBytes { bytes in
            var layout = FooterLayout()
            var decoder = ThriftCompactDecoder(bytes)
            var fieldStart = 0
            var seen: [Int16] = []
            do {
                try decoder.readStruct { d, id, type in
                    seen.append(id)
                    switch id {
                    case 3:
                        layout.head = fieldStart
                        try d.skip(type)
                    case 4:
                        let (count, _) = try d.readListHeader()
                        for _ in 0..<count {
                            let entryStart = d.position
                            var rows: Int64 = -1
                            var start: Int64 = -1
                            var minimum: [UInt8]?
                            try d.readStruct { d, id, type in
                                switch id {
                                case 1:
                                    let (columns, _) = try d.readListHeader()
                                    for column in 0..<columns {
                                        try d.readStruct { d, id, type in
                                            if column == 0 && id == 2 {
                                                start = try d.readI64()
                                            } else if column == 0 && id == 3 {
                                                // ColumnMetaData.statistics (12).min_value (6)
                                                try d.readStruct { d, id, type in
                                                    guard id == 12 else { return try d.skip(type) }
                                                    try d.readStruct { d, id, type in
                                                        if id == 6 { minimum = Array(try d.readBinary()) } else { try d.skip(type) }
                                                    }
                                                }
                                            } else {
                                                try d.skip(type)
                                            }
                                        }
                                    }
                                case 3: rows = try d.readI64()
                                default: try d.skip(type)
                                }
                            }
                            layout.rowGroups.append(Group(entry: entryStart..<d.position, rows: rows, start: start, firstColumnMinimum: minimum))
                        }
                        layout.tail = d.position
                    default:
                        try d.skip(type)
                    }
                    fieldStart = d.position
                }
            } catch {
                return
            }
            guard decoder.position == footer.count, let three = seen.firstIndex(of: 3), three + 1 < seen.count, seen[three + 1] == 4,
                  layout.rowGroups.allSatisfy({ $0.rows >= 0 && $0.start >= 4 }) else { return }
            parsed = layout
        }
        guard let parsed else { return nil }
        self = parsed
    }
}
