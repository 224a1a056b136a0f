/// Any failure of the writer: invalid schema or row, I/O, compression, or use after close.
public struct ParquetError: Error, CustomStringConvertible, Sendable {
    /// Human-readable explanation.
    public let message: String

    /// Creates an error with the given explanation.
    public init(_ message: String) { self.message = message }

    public var description: String { "ParquetError: \(message)" }
}
