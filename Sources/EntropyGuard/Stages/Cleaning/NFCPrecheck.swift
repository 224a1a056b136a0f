/// A cheap test that proves most texts are already in NFC, so the (slow) Foundation normalization runs
/// only when it might change something.
///
/// A text can change under NFC only if it contains a scalar whose NFC quick-check is No or Maybe:
/// combining marks (canonical combining class != 0), singletons that normalize to another scalar, or
/// starters that compose with a preceding character (Hangul vowel/final jamo, some Indic vowel signs…).
/// `isInert` returns false for a superset of those: every scalar with ccc != 0, plus whole blocks that
/// contain any ccc-0 No/Maybe scalar. A unit test checks the superset property against Foundation over
/// planes 0–3.
enum NFCPrecheck {
    static func mayNeedNormalization(_ text: String) -> Bool {
        // Everything below U+0300 is inert; in UTF-8 those scalars use only bytes < 0xCC.
        let hasHighBytes = text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            var any = false
            for b in buffer where b >= 0xCC { any = true; break }
            return any
        } ?? text.utf8.contains(where: { $0 >= 0xCC })
        guard hasHighBytes else { return false }
        for scalar in text.unicodeScalars where scalar.value >= 0x300 && !isInert(scalar) { return true }
        return false
    }

    static func isInert(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x300 { return true }
        switch v {
        case 0x340...0x345, 0x374, 0x37E, 0x387,
             0x900...0xDFF,      // Indic scripts: nukta forms, two-part vowel signs
             0xF00...0xFFF,      // Tibetan
             0x1000...0x109F,    // Myanmar
             0x1100...0x11FF,    // Hangul jamo (vowels and finals compose)
             0x1B00...0x1B7F,    // Balinese
             0x1F00...0x1FFF,    // Greek extended (oxia singletons)
             0x2000, 0x2001, 0x2126, 0x212A, 0x212B, 0x2329, 0x232A, 0x2ADC,
             0x3099, 0x309A,     // kana voicing marks
             0xF900...0xFAFF,    // CJK compatibility ideographs
             0xFB1D...0xFB4F,    // Hebrew presentation forms
             0x11000...0x11FFF,  // Brahmic scripts of the SMP
             0x16000...0x16FFF,
             0x1D100...0x1D1FF,  // musical symbols
             0x2F800...0x2FA1F:  // CJK compatibility supplement
            return false
        default:
            return scalar.properties.canonicalCombiningClass == .notReordered
        }
    }
}
