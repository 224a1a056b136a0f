#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a Parquet file could not be read, and where: the file, and as far as known the row group,
/// column (its dotted path) and page (0-based, counting the chunk's dictionary page). One line names
/// them all, e.g. `data.parquet: row group 3, column meta.text, page 17: page does not decompress
/// (ZSTD: Data corruption detected)`.
///
/// A struct of its own rather than new `ParquetError` cases: those describe the writer's failures,
/// and callers switch over them exhaustively. Every problem but `.io` is bad input data (the
/// pipeline's exit 65); `.io` is the operating system refusing to read the file.
public struct ParquetReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var rowGroup: Int?
    public var column: String?
    public var page: Int?
    public var problem: Problem

    public enum Problem: Sendable, Equatable {
        /// No `PAR1` magic at the start or the end.
        case notParquet
        /// The file is shorter than its footer says (or than a footer can be).
        case truncated(String)
        /// The footer or a page header does not decode, or contradicts itself.
        case badMetadata(String)
        /// A page's body is not what its header and encoding say.
        case badPage(String)
        /// The codec library refused the page.
        case decompressionFailed(codec: String, message: String)
        /// The page's CRC-32 (from its header) does not match its bytes.
        case crcMismatch(expected: UInt32, actual: UInt32)
        case unsupportedEncoding(String)
        case unsupportedCodec(String)
        /// A feature this reader does not implement (encrypted columns, columns in other files…).
        case unsupported(String)
        /// A file of a multi-file input whose schema differs from the first file's.
        case schemaMismatch(String)
        /// The operating system refused to open or read the file; `code` is its errno.
        case io(operation: String, code: Int32)
    }

    public init(file: String, rowGroup: Int? = nil, column: String? = nil, page: Int? = nil, problem: Problem) {
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.page = page
        self.problem = problem
    }

    /// Whether this is the input's fault (bad or unsupported data) rather than the system's (I/O).
    public var isBadData: Bool {
        if case .io = problem { return false }
        return true
    }

    public var description: String {
        var places: [String] = []
        if let rowGroup { places.append("row group \(rowGroup)") }
        if let column { places.append("column \(column)") }
        if let page { places.append("page \(page)") }
        let location = places.isEmpty ? file : "\(file): \(places.joined(separator: ", "))"
        return "\(location): \(problemDescription)"
    }

    private var problemDescription: String {
        switch problem {
        case .notParquet: return "not a Parquet file (no PAR1 magic)"
        case .truncated(let message): return "truncated: \(message)"
        case .badMetadata(let message): return "bad metadata: \(message)"
        case .badPage(let message): return "bad page: \(message)"
        case .decompressionFailed(let codec, let message): return "page does not decompress (\(codec): \(message))"
        case .crcMismatch(let expected, let actual):
            return "page CRC mismatch (header says \(Self.hex(expected)), bytes give \(Self.hex(actual)))"
        case .unsupportedEncoding(let name): return "unsupported encoding \(name)"
        case .unsupportedCodec(let name): return "unsupported compression codec \(name)"
        case .unsupported(let message): return "unsupported: \(message)"
        case .schemaMismatch(let message): return "schema differs from the first file's: \(message)"
        case .io(let operation, let code): return "cannot \(operation): \(String(cString: strerror(code)))"
        }
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A page-level problem before the reader adds the row group, column and page it happened in.
struct PageProblem: Error {
    var problem: ParquetReadError.Problem

    init(_ problem: ParquetReadError.Problem) { self.problem = problem }

    static func bad(_ message: String) -> PageProblem { PageProblem(.badPage(message)) }
}
