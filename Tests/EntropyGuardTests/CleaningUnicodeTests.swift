import XCTest
@testable import EntropyGuard

final class CleaningUnicodeTests: XCTestCase {
    func testNormalizationTable() {
        let cases: [(String, String)] = [
            // NFC: decomposed e + combining acute becomes the precomposed é.
            ("Cafe\u{301}", "Caf\u{E9}"),
            ("A\u{30A}ngstr\u{F6}m", "\u{C5}ngstr\u{F6}m"),
            ("\u{1100}\u{1161}", "\u{AC00}"),
            // Line breaks.
            ("a\r\nb", "a\nb"),
            ("a\rb", "a\nb"),
            ("a\u{2028}b\u{2029}c", "a\nb\nc"),
            ("a\u{85}b\u{0B}c\u{0C}d", "a\nb\nc\nd"),
            // Paragraphs: 3+ newlines -> 2, 2 stay.
            ("a\n\nb", "a\n\nb"),
            ("a\n\n\n\n\nb", "a\n\nb"),
            ("a\r\n\r\n\r\nb", "a\n\nb"),
            // Horizontal whitespace.
            ("a  \t  b", "a b"),
            ("a\tb", "a b"),
            ("a\u{A0}\u{A0}b\u{2003}c\u{3000}d\u{202F}e", "a b c d e"),
            ("a   \n   b", "a\nb"),
            ("line one   \n\n   line two", "line one\n\nline two"),
            ("  \n\t trimmed \n\n ", "trimmed"),
            ("   ", ""),
            ("", ""),
            // Invisible characters.
            ("zero\u{200B}width", "zerowidth"),
            ("non\u{200C}joiner", "nonjoiner"),
            ("\u{FEFF}BOM at start", "BOM at start"),
            ("soft\u{AD}hyphen", "softhyphen"),
            ("word\u{2060}joiner", "wordjoiner"),
            ("bidi \u{202E}override\u{202C} \u{2066}iso\u{2069}", "bidi override iso"),
            ("ctrl\u{0}\u{7}\u{1B}\u{7F}\u{9B}chars", "ctrlchars"),
            ("lone\u{200D}zwj", "lonezwj"),
            ("a\u{200B} \u{200B}b", "a b"),
            // ZWJ kept inside emoji sequences, with skin tones and variation selectors.
            ("\u{1F469}\u{200D}\u{1F4BB} dev", "\u{1F469}\u{200D}\u{1F4BB} dev"),
            ("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"),
            ("\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}", "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}"),
            ("\u{1F44B}\u{1F3FD}\u{200D}x", "\u{1F44B}\u{1F3FD}x"),
            // Case and other scripts preserved.
            ("MiXeD Case ÄÖÜ Ελληνικά 日本語 عربى", "MiXeD Case ÄÖÜ Ελληνικά 日本語 عربى"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(cleanUnicode(input).unicodeScalars.map(\.value), expected.unicodeScalars.map(\.value),
                           "input: \(input.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    func testCleanIsIdempotent() {
        let samples = ["a\r\n\r\n\r\nb  c\u{200B}", "<not html>", "Cafe\u{301}\t\tx", "\u{1F469}\u{200D}\u{1F4BB}"]
        for sample in samples {
            let once = cleanUnicode(sample)
            XCTAssertEqual(cleanUnicode(once), once)
        }
    }
}

final class CleaningNFCPrecheckTests: XCTestCase {
    /// `NFCPrecheck` may only skip NFC when NFC cannot change the text. For every assigned scalar in
    /// planes 0–3 (plus plane 14): if it normalizes to something else, or appears as a non-first part
    /// of some scalar's canonical decomposition (so it could compose with a preceding character), the
    /// precheck must not call it inert.
    func testPrecheckIsASupersetOfNFCSensitiveScalars() {
        var composing = Set<UInt32>()
        var singletons: [UInt32] = []
        let ranges: [ClosedRange<UInt32>] = [0x300...0x3FFFF, 0xE0000...0xE01EF]
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value), scalar.properties.generalCategory != .unassigned,
                      scalar.properties.canonicalCombiningClass == .notReordered || !NFCPrecheck.isInert(scalar)
                else { continue }
                let string = String(scalar)
                let decomposed = string.decomposedStringWithCanonicalMapping.unicodeScalars
                if decomposed.count > 1 { decomposed.dropFirst().forEach { composing.insert($0.value) } }
                if decomposed.count == 1 && decomposed.first != scalar { singletons.append(value) }
                if string.precomposedStringWithCanonicalMapping != string { singletons.append(value) }
            }
        }
        XCTAssertFalse(composing.isEmpty)
        for value in composing.union(singletons) {
            XCTAssertFalse(NFCPrecheck.isInert(Unicode.Scalar(value)!), String(value, radix: 16))
        }
        // And the fast path agrees with Foundation on typical texts.
        for text in ["plain", "café", "日本語", "한국어", "\u{1100}\u{1161}", "e\u{301}", "Ω \u{2126}", "क़"] {
            XCTAssertEqual(NFCPrecheck.mayNeedNormalization(text), text.precomposedStringWithCanonicalMapping != text
                           || !text.unicodeScalars.allSatisfy(NFCPrecheck.isInert), text)
        }
    }
}
