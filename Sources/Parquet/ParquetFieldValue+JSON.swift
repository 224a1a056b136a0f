/// JSON rendering of read values, for outputs that write records as JSON objects (JSONL) or cells
/// (CSV): null, booleans and integers as themselves; floats in their shortest round-trip form (NaN and
/// the infinities, which JSON lacks, as the strings "NaN", "Infinity", "-Infinity"); decimals as
/// exact numbers ("123.45"); dates, times and timestamps as ISO 8601 strings (`CivilTime`); binary as
/// base64 strings; lists as arrays; groups as objects in schema order; maps as objects whose keys are
/// the key's text (a string key as is, another key as its JSON).
extension ParquetFieldValue {
    /// The value as JSON text.
    public var jsonText: String {
        var out = ""
        appendJSON(to: &out)
        return out
    }

    /// Appends the value's JSON to `out`.
    public func appendJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let v): out += v ? "true" : "false"
        case .int(let v): out += String(v)
        case .unsigned(let v): out += String(v)
        case .float(let v): Self.appendNumber(v.isFinite ? v.description : nil, nonFinite: Double(v), to: &out)
        case .double(let v): Self.appendNumber(v.isFinite ? v.description : nil, nonFinite: v, to: &out)
        case .string(let s): Self.appendString(s, to: &out)
        case .bytes(let b): out += "\"" + Self.base64(b) + "\""
        case .decimal(let d): out += d.description
        case .date(let days): out += "\"" + CivilTime.date(days: Int64(days)) + "\""
        case .time(let v, let unit): out += "\"" + CivilTime.time(v, unit: unit) + "\""
        case .timestamp(let v, let unit, let utc): out += "\"" + CivilTime.timestamp(v, unit: unit, utc: utc) + "\""
        case .list(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                element.appendJSON(to: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (i, entry) in entries.enumerated() {
                if i > 0 { out += "," }
                if case .string(let key) = entry.key {
                    Self.appendString(key, to: &out)
                } else {
                    Self.appendString(entry.key.jsonText, to: &out)
                }
                out += ":"
                entry.value.appendJSON(to: &out)
            }
            out += "}"
        case .record(let fields):
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += "," }
                Self.appendString(field.name, to: &out)
                out += ":"
                field.value.appendJSON(to: &out)
            }
            out += "}"
        }
    }

    private static func appendNumber(_ finite: String?, nonFinite: Double, to out: inout String) {
        if let finite {
            out += finite
        } else {
            out += nonFinite.isNaN ? "\"NaN\"" : nonFinite > 0 ? "\"Infinity\"" : "\"-Infinity\""
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as \n, \t… or \u00XX, the rest as is.
    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        var pending = s.unicodeScalars.startIndex
        let scalars = s.unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar.value < 0x20 || scalar == "\"" || scalar == "\\" {
                out.unicodeScalars.append(contentsOf: scalars[pending..<index])
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                pending = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[pending..<scalars.endIndex])
        out += "\""
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding (RFC 4648).
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(base64Alphabet[Int(n >> UInt32(shift) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(base64Alphabet[Int(n >> 18 & 63)])
            out.append(base64Alphabet[Int(n >> 12 & 63)])
            out.append(rest == 2 ? base64Alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
