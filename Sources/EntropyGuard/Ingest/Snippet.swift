/// Short printable excerpts of records for error messages.
enum Snippet {
    /// The first `limit` characters of `bytes`: bad UTF-8 becomes U+FFFD, control characters
    /// become `\n`, `\t`, `\r` or `\u{XX}` so the snippet stays on one line in a report.
    static func printable(_ bytes: [UInt8], limit: Int = 60) -> String {
        // Decode a little more than needed; multi-byte characters take up to 4 bytes.
        let head = bytes.prefix(limit * 4 + 4)
        let text = String(decoding: head, as: UTF8.self)
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out += "…"
                return out
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        if head.count < bytes.count { out += "…" }
        return out
    }
}
