/// A typed value, used for schema inference and for the store's metadata columns.
public enum FieldValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// A nested object or array, as its JSON text exactly as it appears in the record.
    case json(String)
}

extension JSONScan {
    /// The typed value of `field` in `bytes` (the record `field` came from, via `fields`).
    /// Integers that do not fit in `Int64` become `.double`.
    public static func value(of field: JSONField, in bytes: [UInt8]) throws -> FieldValue {
        try bytes.withUnsafeBufferPointer { buffer in
            let range = field.valueRange
            guard range.lowerBound >= 0, range.upperBound <= buffer.count, !range.isEmpty else {
                throw JSONScanError(problem: "value range \(range) outside the record", offset: 0)
            }
            let slice = UnsafeBufferPointer(rebasing: buffer[range])
            switch field.kind {
            case .string:
                return .string(JSONStringCodec.decode(buffer, literal: range))
            case .integer:
                if let v = parseInt64(slice) { return .int(v) }
                return .double(try parseDouble(slice))
            case .double:
                return .double(try parseDouble(slice))
            case .bool:
                return .bool(slice[0] == UInt8(ascii: "t"))
            case .null:
                return .null
            case .object, .array:
                return .json(String(decoding: slice, as: UTF8.self))
            }
        }
    }

    /// Parses `-?[0-9]+`, or `nil` on overflow.
    private static func parseInt64(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var k = 0
        let negative = s[0] == UInt8(ascii: "-")
        if negative { k = 1 }
        var v: Int64 = 0
        while k < s.count {
            let d = Int64(s[k] &- UInt8(ascii: "0"))
            // Accumulate negatively so Int64.min fits.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (r, o2) = m.subtractingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = r
            k += 1
        }
        if negative { return v }
        return v == Int64.min ? nil : -v
    }

    private static func parseDouble(_ s: UnsafeBufferPointer<UInt8>) throws -> Double {
        guard let v = Double(String(decoding: s, as: UTF8.self)) else {
            throw JSONScanError(problem: "invalid number", offset: 0)
        }
        return v
    }
}
