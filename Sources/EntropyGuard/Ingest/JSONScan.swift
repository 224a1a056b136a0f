/// The kind of a JSON value, as found by the scanner.
public enum JSONValueKind: Equatable, Sendable {
    case string, integer, double, bool, null, object, array
}

/// One top-level member of a JSON object record.
public struct JSONField: Equatable, Sendable {
    /// The decoded key.
    public let key: String
    /// Byte range of the value's JSON text in the record (a string value includes its quotes).
    public let valueRange: Range<Int>
    public let kind: JSONValueKind

    public init(key: String, valueRange: Range<Int>, kind: JSONValueKind) {
        self.key = key
        self.valueRange = valueRange
        self.kind = kind
    }
}

/// What `JSONScan.textField` found for the requested key.
public enum TextFieldValue: Equatable, Sendable {
    /// The object has no such key.
    case missing
    /// The value is JSON `null`.
    case null
    /// The value is a number, boolean, object or array.
    case notString(JSONValueKind)
    /// The decoded string and the byte range of its literal (quotes included) in the record.
    case string(String, valueRange: Range<Int>)
}

/// Hand-written scanning of one JSONL record (no Foundation in the hot path).
///
/// Every entry point validates the whole record: it must be valid UTF-8 and exactly one JSON object
/// (strict RFC 8259: no comments, no trailing commas, no single quotes, no NaN), with surrounding
/// whitespace allowed. Errors are `JSONScanError`s whose `problem` reads, for example,
/// `invalid UTF-8 at byte 12` (1-based), `not a JSON object (an array)` or
/// `invalid JSON: unexpected character 'x' at column 17` (1-based, in Unicode scalars).
/// The first problem met scanning left to right is the one reported. Nesting deeper than 512 levels
/// is rejected. Use `recordError(path:line:record:)` (or the `of:path:` variants) to get a `RecordError`.
public enum JSONScan {
    /// All top-level fields in order (duplicates included, as they appear).
    public static func fields(_ bytes: [UInt8]) throws -> [JSONField] {
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            try scanner.beginObject()
            var result: [JSONField] = []
            try scanner.forEachMember { keyRange, keyHasEscapes, valueRange, kind, _ in
                let key = keyHasEscapes
                    ? JSONStringCodec.decodeEscaped(buffer, literal: keyRange)
                    : JSONStringCodec.decodePlain(buffer, literal: keyRange)
                result.append(JSONField(key: key, valueRange: valueRange, kind: kind))
            }
            return result
        }
    }

    /// The value of the top-level key `name`, validating the whole record on the way.
    /// With duplicate keys the first occurrence wins.
    public static func textField(_ name: String, in bytes: [UInt8]) throws -> TextFieldValue {
        var name = name
        return try name.withUTF8 { nameBytes in
            try bytes.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                try scanner.beginObject()
                var found: (range: Range<Int>, kind: JSONValueKind, hasEscapes: Bool)?
                try scanner.forEachMember { keyRange, keyHasEscapes, valueRange, kind, valueHasEscapes in
                    guard found == nil else { return }
                    if keyMatches(buffer, keyRange, keyHasEscapes, nameBytes) {
                        found = (valueRange, kind, valueHasEscapes)
                    }
                }
                guard let found else { return .missing }
                switch found.kind {
                case .string:
                    let text = found.hasEscapes
                        ? JSONStringCodec.decodeEscaped(buffer, literal: found.range)
                        : JSONStringCodec.decodePlain(buffer, literal: found.range)
                    return .string(text, valueRange: found.range)
                case .null:
                    return .null
                default:
                    return .notString(found.kind)
                }
            }
        }
    }

    /// `fields` for a record read from `path`, with errors as `RecordError`.
    public static func fields(of record: InputRecord, path: String) throws -> [JSONField] {
        do {
            return try fields(record.bytes)
        } catch let error as JSONScanError {
            throw error.recordError(path: path, line: record.line, record: record.bytes)
        }
    }

    /// `textField` for a record read from `path`, with errors as `RecordError`.
    public static func textField(_ name: String, of record: InputRecord, path: String) throws -> TextFieldValue {
        do {
            return try textField(name, in: record.bytes)
        } catch let error as JSONScanError {
            throw error.recordError(path: path, line: record.line, record: record.bytes)
        }
    }

    @inline(__always)
    private static func keyMatches(_ buffer: UnsafeBufferPointer<UInt8>, _ literal: Range<Int>,
                                   _ hasEscapes: Bool, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        if hasEscapes {
            var key = JSONStringCodec.decodeEscaped(buffer, literal: literal)
            return key.withUTF8 { sameBytes(UnsafeRawBufferPointer($0), UnsafeRawBufferPointer(name)) }
        }
        let count = literal.count - 2
        guard count == name.count else { return false }
        if count == 0 { return true }
        return memcmp(buffer.baseAddress! + literal.lowerBound + 1, name.baseAddress!, count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
