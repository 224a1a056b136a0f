/// The exact-dedup key's text form: Unicode lowercase, every whitespace run (ASCII, NBSP and the other
/// Unicode spaces, line breaks) collapsed to one space, trimmed. Only the key is lowercased; output
/// text keeps its case. Also measures the trimmed length the validate stage uses.
public final class TextNormalizer {
    /// Reused output buffer for the ASCII path, so hashing a row allocates nothing.
    private var buffer: UnsafeMutableBufferPointer<UInt8>

    public init() { buffer = .allocate(capacity: 4096) }

    deinit { buffer.deallocate() }

    /// The normalized UTF-8 bytes of `text`.
    public func normalize(_ text: String) -> [UInt8] {
        withNormalized(text) { Array($0) }
    }

    /// XXH3-64 of the normalized text, as the signed integer SQLite stores.
    public func key(_ text: String) -> Int64 {
        withNormalized(text) { Int64(bitPattern: XXH3.hash64(UnsafeRawBufferPointer($0))) }
    }

    /// The dedup key and the trimmed length together: one pass over ASCII texts (the common case).
    public func keyAndLength(_ text: String) -> (key: Int64, length: Int) {
        var text = text
        let ascii = text.withUTF8 { bytes -> (Int64, Int)? in
            let n = bytes.count
            guard n > 0, let source = bytes.baseAddress else {
                return (Int64(bitPattern: XXH3.hash64(UnsafeRawBufferPointer(start: nil, count: 0))), 0)
            }
            // Any byte >= 0x80 means non-ASCII: checked 8 bytes at a time first.
            var high: UInt64 = 0
            var i = 0
            while i + 8 <= n {
                high |= UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self)
                i += 8
            }
            while i < n { high |= UInt64(source[i]); i += 1 }
            if high & 0x8080_8080_8080_8080 != 0 { return nil }
            if n > buffer.count {
                buffer.deallocate()
                buffer = .allocate(capacity: n * 2)
            }
            let out = buffer.baseAddress!
            let (count, length) = ASCIINormalization.normalize(source, count: n, into: out)
            let key = Int64(bitPattern: XXH3.hash64(UnsafeRawBufferPointer(start: out, count: count)))
            return (key, length)
        }
        if let ascii { return ascii }
        return (key(text), Self.trimmedLength(text))
    }

    /// Calls `body` with the normalized bytes (valid only inside `body`).
    public func withNormalized<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var text = text
        let ascii = text.withUTF8 { bytes -> Int? in
            // Worst case the output is as long as the input (ASCII): grow once, then never reallocate.
            if bytes.count > buffer.count {
                buffer.deallocate()
                buffer = .allocate(capacity: bytes.count * 2)
            }
            var count = 0
            var pendingSpace = false
            let out = buffer.baseAddress!
            for byte in bytes {
                if byte >= 0x80 { return nil }
                if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                    pendingSpace = count > 0
                    continue
                }
                if pendingSpace { out[count] = 0x20; count += 1; pendingSpace = false }
                out[count] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                count += 1
            }
            return count
        }
        if let ascii { return body(UnsafeBufferPointer(rebasing: buffer[0..<ascii])) }
        // Unicode path: lowercase mappings can be longer than the input, so build an array.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace { bytes.append(0x20); pendingSpace = false }
            if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            } else {
                bytes.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            }
        }
        return bytes.withUnsafeBufferPointer(body)
    }

    /// Code points of `text` once leading and trailing whitespace (Unicode White_Space) is trimmed:
    /// what the length gate measures; 0 means "empty after strip".
    public static func trimmedLength(_ text: String) -> Int {
        var text = text
        let ascii = text.withUTF8 { bytes -> Int? in
            var first = -1
            var last = -1
            for (index, byte) in bytes.enumerated() {
                if byte >= 0x80 { return nil }
                if !(byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)) {
                    if first < 0 { first = index }
                    last = index
                }
            }
            return first < 0 ? 0 : last - first + 1
        }
        if let ascii { return ascii }
        var count = 0
        var trailingSpaces = 0
        var started = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                if started { trailingSpaces += 1 }
            } else {
                started = true
                count += trailingSpaces + 1
                trailingSpaces = 0
            }
        }
        return count
    }
}
