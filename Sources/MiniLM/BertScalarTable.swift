import Foundation

/// `BertTextNormalizer.normalized` of single non-ASCII scalars, precomputed for U+0080–U+07FF (Latin,
/// Greek, Cyrillic, Hebrew, Arabic letters) and U+2000–U+206F (curly quotes, dashes, spaces), the
/// non-ASCII scalars of mostly-English text. Through Foundation one stretch of non-ASCII text costs
/// a String, an NFD pass and arrays (~1 µs); a typographic apostrophe in every sentence made that
/// the largest cost of a 200-byte text.
///
/// A scalar may be normalized alone only if NFD cannot reorder it with its neighbours: its
/// decomposition must begin with a starter (canonical combining class 0). Combining marks and the
/// like are marked not `simple`, and any stretch holding one goes through Foundation whole.
struct BertScalarTable: Sendable {
    struct Entry: Sendable {
        var offset: UInt16
        var count: UInt8
        var simple: Bool
    }

    private let entries: [Entry]
    /// Normalized output of every simple scalar, back to back.
    private let outputs: [Unicode.Scalar]

    static let latinRange: ClosedRange<UInt32> = 0x80...0x7FF
    static let punctuationRange: ClosedRange<UInt32> = 0x2000...0x206F

    init(normalizer: BertTextNormalizer) {
        var entries: [Entry] = []
        var outputs: [Unicode.Scalar] = []
        for value in Array(Self.latinRange) + Array(Self.punctuationRange) {
            guard let scalar = Unicode.Scalar(value) else {
                entries.append(Entry(offset: 0, count: 0, simple: false)); continue
            }
            let text = String(scalar)
            var simple = true
            if normalizer.stripAccents,
               let first = text.decomposedStringWithCanonicalMapping.unicodeScalars.first,
               first.properties.canonicalCombiningClass != .notReordered {
                simple = false
            }
            let normalized = simple ? normalizer.normalized(text[...].unicodeScalars) : []
            entries.append(Entry(offset: UInt16(outputs.count), count: UInt8(normalized.count), simple: simple))
            outputs.append(contentsOf: normalized)
        }
        self.entries = entries
        self.outputs = outputs
    }

    /// The table's index of `value`, or nil outside the two ranges.
    @inline(__always)
    static func index(_ value: UInt32) -> Int? {
        if latinRange.contains(value) { return Int(value - latinRange.lowerBound) }
        if punctuationRange.contains(value) { return latinRange.count + Int(value - punctuationRange.lowerBound) }
        return nil
    }

    @inline(__always)
    func entry(_ index: Int) -> Entry { entries[index] }

    @inline(__always)
    func output(_ entry: Entry) -> ArraySlice<Unicode.Scalar> {
        outputs[Int(entry.offset)..<(Int(entry.offset) + Int(entry.count))]
    }
}
