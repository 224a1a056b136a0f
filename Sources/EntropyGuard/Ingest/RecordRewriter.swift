/// Builds output records. Results never include a line terminator; the writer adds `\n`.
public enum RecordRewriter {
    /// `record` with the bytes at `range` (a JSON value, e.g. a `valueRange` from `JSONScan`)
    /// replaced by `withString` as a JSON string literal. Everything else is kept byte for byte.
    public static func replacingJSONValue(in record: [UInt8], range: Range<Int>, withString: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(record.count - range.count + withString.utf8.count + 2)
        out.append(contentsOf: record[..<range.lowerBound])
        JSONScan.encodeString(withString, into: &out)
        out.append(contentsOf: record[range.upperBound...])
        return out
    }

    /// A CSV record as one JSON object line: `{"<header[0]>":"<value>",...}` in header order, every value
    /// a string (an empty field gives `""`). The `textColumn` value is replaced by `text` when `text` is
    /// non-nil (nil keeps the field's own value). Extra fields beyond the header are dropped and missing
    /// ones are `""` (the reader's field-count check normally rules both out).
    public static func jsonObject(header: [String], fields: [CSVField], textColumn: String, text: String?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(16) { $0 + $1.value.utf8.count + 8 } + header.reduce(0) { $0 + $1.utf8.count + 4 }
                            + (text?.utf8.count ?? 0))
        out.append(UInt8(ascii: "{"))
        for (index, name) in header.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONScan.encodeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
            if name.hasSameUTF8(as: textColumn), let text {
                JSONScan.encodeString(text, into: &out)
            } else {
                JSONScan.encodeString(index < fields.count ? fields[index].value : "", into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// One CSV row (RFC 4180). A value is quoted when it contains `,`, `"`, CR or LF, or is empty;
    /// `nil` is written as an empty unquoted field, so `CSVField.fieldValue` reads it back as `.null`
    /// and `""` reads back as the empty string.
    public static func csvRow(_ values: [String?]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let value else { continue }
            let bytes = value.utf8
            let needsQuotes = bytes.isEmpty || bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            if !needsQuotes {
                out.append(contentsOf: bytes)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") { out.append(b) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        }
        return out
    }

    /// `record` (one JSON object) with `"key":jsonValue` added as its last member, before the closing brace.
    /// `jsonValue` must be valid JSON text (e.g. `Array("3".utf8)` or an encoded string). Whitespace after the
    /// closing brace is dropped. A record that does not end in `}` is returned unchanged (it cannot come
    /// from `JSONScan`-validated input).
    public static func appendingField(to record: [UInt8], key: String, jsonValue: [UInt8]) -> [UInt8] {
        var close = record.count - 1
        while close >= 0 && isWhitespace(record[close]) { close -= 1 }
        guard close >= 0, record[close] == UInt8(ascii: "}") else { return record }
        var before = close - 1
        while before >= 0 && isWhitespace(record[before]) { before -= 1 }
        let isEmpty = before >= 0 && record[before] == UInt8(ascii: "{")
        var out: [UInt8] = []
        out.reserveCapacity(close + key.utf8.count + jsonValue.count + 6)
        out.append(contentsOf: record[..<close])
        if !isEmpty { out.append(UInt8(ascii: ",")) }
        JSONScan.encodeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: jsonValue)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }
}
