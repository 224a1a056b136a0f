/// The exact-dedup key's text form: Unicode lowercase, every whitespace run (ASCII, NBSP and the other
/// Unicode spaces, line breaks) collapsed to one space, trimmed. Only the key is lowercased; output
/// text keeps its case.
public struct TextNormalizer {
    private var buffer: [UInt8] = []

    public init() { buffer.reserveCapacity(1024) }

    /// The normalized UTF-8 bytes of `text`, valid until the next call.
    public mutating func normalize(_ text: String) -> [UInt8] {
        buffer.removeAll(keepingCapacity: true)
        var text = text
        let ascii = text.withUTF8 { bytes -> Bool in
            for byte in bytes where byte >= 0x80 { return false }
            // ASCII fast path: lowercase and collapse in one pass over the bytes.
            var pendingSpace = false
            for byte in bytes {
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                    pendingSpace = !buffer.isEmpty
                default:
                    if pendingSpace { buffer.append(0x20); pendingSpace = false }
                    buffer.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                }
            }
            return true
        }
        if ascii { return buffer }
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !buffer.isEmpty
                continue
            }
            if pendingSpace { buffer.append(0x20); pendingSpace = false }
            if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                buffer.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            } else {
                buffer.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            }
        }
        return buffer
    }

    /// XXH3-64 of the normalized text, as the signed integer SQLite stores.
    public mutating func key(_ text: String) -> Int64 {
        Int64(bitPattern: XXH3.hash64(normalize(text)))
    }
}
