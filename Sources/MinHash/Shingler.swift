import CXXHash

/// Turns a text into the hashes of its shingles, on UTF-8 bytes with reused buffers (no allocation per
/// shingle or per row once the buffers have grown).
///
/// Normalisation: letters are lowercased; every run of characters that are not letters, digits or
/// combining marks (whitespace, punctuation, symbols, controls) becomes one space, and the text is
/// trimmed; format characters (Unicode Cf: zero-width joiners, soft hyphens) are dropped without
/// splitting a word. So punctuation separates words and is not part of any shingle: "data, model" and
/// "data model." have the same shingles. datatrove (TextNormConfig: remove_punctuation, whitespace
/// collapsed after) and text-dedup (split on the regex \W) do the same, and for the same reason: a changed
/// quote style, comma or dash would otherwise change every shingle that covers it, and near-duplicate
/// detection is about the words. Unlike datatrove, digits and diacritics are kept as they are ("page 3"
/// and "page 4" differ, "café" and "cafe" differ): they carry content, and the exact-dedup key keeps them too.
///
/// Shingles: `words:N` hashes each run of N consecutive words (joined by one space); `chars:N` each run
/// of N consecutive characters (Unicode scalars) of the normalised text, spaces included. A text with
/// fewer than N units has one shingle, its whole normalised text. A text with no letter or digit at all
/// ("!!!", "—") is normalised again keeping its punctuation (whitespace still collapsed), so such texts
/// are told apart; an empty text has the one empty shingle.
///
/// Each shingle is hashed with XXH3-64 and reduced modulo the Mersenne prime 2^61 - 1 (the permutations'
/// field). Not thread-safe: one per worker.
public final class Shingler {
    /// Version of the normalisation above, part of every cache key (`ShingleSetting.canonical`).
    public static let normalization = "lower+punct-space+collapse-ws+drop-cf;v1"

    public let setting: ShingleSetting

    private var text: UnsafeMutablePointer<UInt8>
    private var textCapacity: Int
    private var length = 0
    /// Start and end offsets (in `text`) of each unit: words, or characters in chars mode.
    private var starts: UnsafeMutablePointer<Int32>
    private var ends: UnsafeMutablePointer<Int32>
    private var unitCapacity: Int
    private var units = 0
    private var hashes: UnsafeMutablePointer<UInt64>
    private var hashCapacity: Int

    public init(setting: ShingleSetting) {
        self.setting = setting
        textCapacity = 4096
        text = .allocate(capacity: textCapacity)
        unitCapacity = 1024
        starts = .allocate(capacity: unitCapacity)
        ends = .allocate(capacity: unitCapacity)
        hashCapacity = 1024
        hashes = .allocate(capacity: hashCapacity)
    }

    deinit {
        text.deallocate()
        starts.deallocate()
        ends.deallocate()
        hashes.deallocate()
    }

    /// Calls `body` with the shingle hashes of `text` (at least one; each < 2^61 - 1; valid only inside
    /// `body`). A shingle that occurs twice is hashed twice: the minimum does not care.
    public func withShingleHashes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt64>) throws -> T) rethrows -> T {
        normalize(text, keepPunctuation: false)
        if units == 0 && length == 0 { normalize(text, keepPunctuation: true) }
        if setting.unit == .chars { findCharacters() }
        let count = hashShingles()
        return try body(UnsafeBufferPointer(start: hashes, count: count))
    }

    /// The normalised text (for tests and tools): what the shingles are cut from.
    public func normalized(_ text: String) -> String {
        normalize(text, keepPunctuation: false)
        if units == 0 && length == 0 { normalize(text, keepPunctuation: true) }
        return String(decoding: UnsafeBufferPointer(start: self.text, count: length), as: UTF8.self)
    }

    /// The shingles as strings (for tests and tools; the hot path never builds them).
    public func shingles(_ text: String) -> [String] {
        normalize(text, keepPunctuation: false)
        if units == 0 && length == 0 { normalize(text, keepPunctuation: true) }
        if setting.unit == .chars { findCharacters() }
        return shingleRanges().map { String(decoding: UnsafeBufferPointer(start: self.text + $0.lowerBound, count: $0.count), as: UTF8.self) }
    }

    // MARK: - Normalisation

    /// Byte classes for ASCII: 0 separator, 1 word byte kept as is, 2 upper-case letter.
    private static let asciiClass: [UInt8] = (0..<128).map { byte in
        switch byte {
        case 0x30...0x39, 0x61...0x7A: return 1
        case 0x41...0x5A: return 2
        default: return 0
        }
    }

    private func normalize(_ string: String, keepPunctuation: Bool) {
        var string = string
        let ascii = string.withUTF8 { bytes -> Bool in
            reserveText(bytes.count)
            reserveUnits(bytes.count / 2 + 1)
            length = 0
            units = 0
            guard let source = bytes.baseAddress, bytes.count > 0 else { return true }
            // Any byte >= 0x80 means non-ASCII: checked 8 bytes at a time first.
            var high: UInt64 = 0
            var i = 0
            while i + 8 <= bytes.count {
                high |= UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self)
                i += 8
            }
            while i < bytes.count { high |= UInt64(source[i]); i += 1 }
            guard high & 0x8080_8080_8080_8080 == 0 else { return false }
            normalizeASCII(source, count: bytes.count, keepPunctuation: keepPunctuation)
            return true
        }
        if !ascii { normalizeUnicode(string, keepPunctuation: keepPunctuation) }
    }

    private func normalizeASCII(_ source: UnsafePointer<UInt8>, count: Int, keepPunctuation: Bool) {
        Self.asciiClass.withUnsafeBufferPointer { classes in
            var n = 0
            var unit = 0
            var inWord = false
            for i in 0..<count {
                let byte = source[i]
                var kind = classes[Int(byte)]
                if keepPunctuation && kind == 0 && !Self.isASCIISpace(byte) { kind = 1 }
                if kind == 0 {
                    if inWord { ends[unit] = Int32(n); unit += 1; inWord = false }
                    continue
                }
                if !inWord {
                    if unit > 0 { text[n] = 0x20; n += 1 }
                    starts[unit] = Int32(n)
                    inWord = true
                }
                text[n] = kind == 2 ? byte | 0x20 : byte
                n += 1
            }
            if inWord { ends[unit] = Int32(n); unit += 1 }
            length = n
            units = unit
        }
    }

    @inline(__always)
    private static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    private func normalizeUnicode(_ string: String, keepPunctuation: Bool) {
        var inWord = false
        for scalar in string.unicodeScalars {
            let kind: UInt8
            if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                kind = keepPunctuation && !Self.isASCIISpace(byte) ? max(Self.asciiClass[Int(byte)], 1) : Self.asciiClass[Int(byte)]
            } else {
                switch scalar.properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                     .nonspacingMark, .spacingMark, .enclosingMark,
                     .decimalNumber, .letterNumber, .otherNumber:
                    kind = 3
                case .format:
                    continue
                default:
                    kind = keepPunctuation && !scalar.properties.isWhitespace ? 3 : 0
                }
            }
            if kind == 0 {
                if inWord { ends[units] = Int32(length); units += 1; inWord = false }
                continue
            }
            // Room for a space and the longest lowercase mapping (a few scalars of 4 bytes).
            reserveText(length + 32)
            reserveUnits(units + 2)
            if !inWord {
                if units > 0 { text[length] = 0x20; length += 1 }
                starts[units] = Int32(length)
                inWord = true
            }
            if kind == 3 {
                if scalar.properties.changesWhenLowercased {
                    for byte in scalar.properties.lowercaseMapping.utf8 { reserveText(length + 1); text[length] = byte; length += 1 }
                } else {
                    for byte in UTF8.encode(scalar)! { text[length] = byte; length += 1 }
                }
            } else {
                let byte = UInt8(scalar.value)
                text[length] = kind == 2 ? byte | 0x20 : byte
                length += 1
            }
        }
        if inWord { ends[units] = Int32(length); units += 1 }
    }

    /// Chars mode: one unit per Unicode scalar of the normalised text (spaces included).
    private func findCharacters() {
        reserveUnits(length + 1)
        var count = 0
        for i in 0..<length where text[i] & 0xC0 != 0x80 {
            if count > 0 { ends[count - 1] = Int32(i) }
            starts[count] = Int32(i)
            count += 1
        }
        if count > 0 { ends[count - 1] = Int32(length) }
        units = count
    }

    // MARK: - Shingles

    private func shingleRanges() -> [Range<Int>] {
        let n = setting.size
        guard units >= n else { return [0..<length] }
        return (0...(units - n)).map { Int(starts[$0])..<Int(ends[$0 + n - 1]) }
    }

    private func hashShingles() -> Int {
        let n = setting.size
        guard units >= n else {
            hashes[0] = Self.reduce(XXH3_64bits(text, length))
            return 1
        }
        let count = units - n + 1
        if count > hashCapacity {
            hashes.deallocate()
            hashCapacity = count * 2
            hashes = .allocate(capacity: hashCapacity)
        }
        for i in 0..<count {
            let start = Int(starts[i])
            hashes[i] = Self.reduce(XXH3_64bits(text + start, Int(ends[i + n - 1]) - start))
        }
        return count
    }

    /// x mod (2^61 - 1).
    @inline(__always)
    static func reduce(_ x: UInt64) -> UInt64 {
        let p: UInt64 = (1 << 61) - 1
        let r = (x & p) &+ (x >> 61)
        return r >= p ? r - p : r
    }

    // MARK: - Buffers

    private func reserveText(_ capacity: Int) {
        guard capacity > textCapacity else { return }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        grown.update(from: text, count: length)
        text.deallocate()
        text = grown
        textCapacity = capacity * 2
    }

    private func reserveUnits(_ capacity: Int) {
        guard capacity > unitCapacity else { return }
        let newStarts = UnsafeMutablePointer<Int32>.allocate(capacity: capacity * 2)
        let newEnds = UnsafeMutablePointer<Int32>.allocate(capacity: capacity * 2)
        newStarts.update(from: starts, count: units)
        newEnds.update(from: ends, count: units)
        starts.deallocate()
        ends.deallocate()
        starts = newStarts
        ends = newEnds
        unitCapacity = capacity * 2
    }
}
