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
        try bytes.withUnsafeBufferPointer { try value(kind: field.kind, range: field.valueRange, in: $0) }
    }

    /// The typed value of kind `kind` at `range` of `buffer` (a record the scanner checked).
    static func value(kind: JSONValueKind, range: Range<Int>, in buffer: UnsafeBufferPointer<UInt8>) throws -> FieldValue {
        guard range.lowerBound >= 0, range.upperBound <= buffer.count, !range.isEmpty else {
            throw JSONScanError(problem: "value range \(range) outside the record", offset: 0)
        }
        let slice = UnsafeBufferPointer(rebasing: buffer[range])
        switch kind {
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

    static func parseDouble(_ s: UnsafeBufferPointer<UInt8>) throws -> Double {
        if let v = exactDouble(s) { return v }
        guard let v = Double(String(decoding: s, as: UTF8.self)) else {
            throw JSONScanError(problem: "invalid number", offset: 0)
        }
        return v
    }

    /// A JSON number (checked by the scanner) with at most 15 significant digits and a decimal
    /// exponent of at most 22 either way, converted with one exact operation: its digits and the power
    /// of ten are both exact doubles, and IEEE multiplication and division round correctly, so the
    /// result is `strtod`'s (Clinger's fast path). Nil for anything else. A snapshot's `score`-like
    /// column was a tenth of its decoding time in `strtod`.
    static func exactDouble(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        var k = 0
        let n = s.count
        let negative = n > 0 && s[0] == UInt8(ascii: "-")
        if negative { k = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var seenPoint = false
        while k < n {
            let b = s[k]
            if b == UInt8(ascii: ".") {
                seenPoint = true
            } else if b &- 0x30 < 10 {
                if mantissa != 0 || b != 0x30 { digits += 1 }
                guard digits <= 15 else { return nil }
                mantissa = mantissa * 10 + UInt64(b &- 0x30)
                if seenPoint { exponent -= 1 }
            } else {
                break
            }
            k += 1
        }
        if k < n {
            // An exponent: e or E, an optional sign, digits.
            guard s[k] | 0x20 == UInt8(ascii: "e") else { return nil }
            k += 1
            var exponentNegative = false
            if k < n && (s[k] == UInt8(ascii: "-") || s[k] == UInt8(ascii: "+")) {
                exponentNegative = s[k] == UInt8(ascii: "-")
                k += 1
            }
            var written = 0
            while k < n, s[k] &- 0x30 < 10 {
                written = written * 10 + Int(s[k] &- 0x30)
                guard written < 1000 else { return nil }
                k += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard k == n, (-22...22).contains(exponent) else { return nil }
        let value = exponent < 0 ? Double(mantissa) / powersOfTen[-exponent] : Double(mantissa) * powersOfTen[exponent]
        return negative ? -value : value
    }

    /// 10^0 ... 10^22, all exact doubles.
    private static let powersOfTen: [Double] = (0...22).map(pow10)

    private static func pow10(_ e: Int) -> Double {
        var value = 1.0
        for _ in 0..<e { value *= 10 }   // exact up to 10^22
        return value
    }
}
