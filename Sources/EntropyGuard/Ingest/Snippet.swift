/// Input bytes quoted in a message: the one way any of them (a record, a field name, a header) gets
/// into an error or a warning, so a binary file cannot flood the terminal or send it escape sequences.
public enum Snippet {
    /// At most `limit` printable characters of `bytes`, then `…` if anything was left out. Bytes that
    /// are not UTF-8 become `\xNN`; control characters become `\n`, `\t`, `\r` or `\xNN` (C0 and DEL)
    /// or `\u{NNNN}` (C1, bidi and other invisible format characters, line and paragraph separators),
    /// so the text stays on one line and shows what is there. An escape counts as the characters it takes.
    public static func printable(_ bytes: [UInt8], limit: Int = 80) -> String {
        bytes.withUnsafeBufferPointer { buffer -> String in
            guard let p = buffer.baseAddress else { return "" }
            let n = buffer.count
            var out = ""
            var width = 0
            var i = 0
            while i < n {
                var piece: String
                var length = 1
                let b = p[i]
                if b < 0x80 {
                    switch b {
                    case 0x0A: piece = "\\n"
                    case 0x0D: piece = "\\r"
                    case 0x09: piece = "\\t"
                    case 0..<0x20, 0x7F: piece = hexByte(b)
                    default: piece = String(Unicode.Scalar(b))
                    }
                } else if let sequence = UTF8Validation.sequenceLength(p, i, n) {
                    length = sequence
                    let scalar = String(decoding: UnsafeBufferPointer(start: p + i, count: sequence), as: UTF8.self).unicodeScalars.first!
                    piece = isInvisible(scalar) ? "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" : String(scalar)
                } else {
                    piece = hexByte(b)
                }
                // Wide characters (CJK, emoji) count as one: the limit bounds length, not columns.
                let pieceWidth = piece.unicodeScalars.count
                if width + pieceWidth > limit {
                    return out + "…"
                }
                out += piece
                width += pieceWidth
                i += length
            }
            return out
        }
    }

    /// `printable` of a string (a field or column name, already valid UTF-8).
    public static func printable(_ text: String, limit: Int = 80) -> String {
        printable(Array(text.utf8), limit: limit)
    }

    /// Names from the input (columns, fields) for a message: each made printable, at most `limit` of them,
    /// comma-separated, with how many more there are.
    public static func names<S: Sequence>(_ names: S, limit: Int = 20) -> String where S.Element == String {
        let all = Array(names)
        if all.isEmpty { return "(none)" }
        var text = all.prefix(limit).map { printable($0, limit: 40) }.joined(separator: ", ")
        if all.count > limit { text += ", … (\(all.count - limit) more)" }
        return text
    }

    private static func hexByte(_ b: UInt8) -> String {
        let digits = String(b, radix: 16, uppercase: true)
        return "\\x" + (digits.count == 1 ? "0" + digits : digits)
    }

    /// Characters that print as nothing or change how the rest of the line displays.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0xAD, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF, 0xFFF9...0xFFFB:
            return true
        default:
            return false
        }
    }
}
