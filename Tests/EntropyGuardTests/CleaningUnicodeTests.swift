import SplitMix
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

/// The word-at-a-time checks against byte-by-byte definitions, on random texts made of the bytes that
/// decide them (spaces, tabs, controls, DEL, "@:.-", digits, letters, non-ASCII), at every alignment.
final class CleaningFastPathTests: XCTestCase {
    private static let pieces: [String] = ["a", "Z", "5", "0", "9", " ", " ", "  ", "\t", "\n", "\u{0}", "\u{1F}", "\u{7F}", "~", "!",
                                           "@", ":", ".", "-", "/", "é", "\u{A0}", "日", "\u{200B}", "\u{1F469}", "e\u{301}"]

    private func randomTexts(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = Int(random.next() % 40)
            // Mostly clean ASCII words so that clean texts (and long clean runs) are frequent too.
            return (0..<length).map { _ -> String in
                let r = random.next() % 100
                return r < 60 ? "word" : r < 75 ? " " : Self.pieces[Int(random.next() % UInt64(Self.pieces.count))]
            }.joined()
        }
    }

    /// Printable ASCII and single inner spaces: what `isClean` promises, defined byte by byte.
    private func isCleanReference(_ bytes: [UInt8]) -> Bool {
        if bytes.first == 0x20 || bytes.last == 0x20 { return false }
        for (i, b) in bytes.enumerated() {
            if b == 0x20 { if i > 0 && bytes[i - 1] == 0x20 { return false } } else if !(0x21...0x7E).contains(b) { return false }
        }
        return true
    }

    func testIsCleanMatchesItsDefinitionAndTheFullPass() {
        var clean = 0
        for text in randomTexts(count: 20_000, seed: 7) {
            let bytes = Array(text.utf8)
            // Every offset, so the 8-byte words start at every alignment relative to the text.
            for offset in [0, 1, 3, 7] where offset <= bytes.count {
                let slice = Array(bytes[offset...])
                let fast = slice.withUnsafeBufferPointer { UnicodeCleanPass.isClean($0) }
                XCTAssertEqual(fast, isCleanReference(slice), "\(slice)")
                if fast {
                    clean += 1
                    // The full pass leaves such text unchanged, so skipping it is right.
                    let full = [UInt8](unsafeUninitializedCapacity: max(1, slice.count)) { buffer, count in
                        count = slice.withUnsafeBufferPointer { UnicodeCleanPass.run($0, into: buffer.baseAddress!) }
                    }
                    XCTAssertEqual(full, slice)
                }
            }
        }
        XCTAssertGreaterThan(clean, 10_000)
    }

    func testPIIByteCountsMatchACountByByte() {
        for text in randomTexts(count: 20_000, seed: 11) {
            let bytes = Array(text.utf8)
            var expected = PIIByteCounts(UnsafeBufferPointer(start: nil, count: 0))
            expected.firstDigitPair = bytes.indices.dropLast().first { (0x30...0x39).contains(bytes[$0]) && (0x30...0x39).contains(bytes[$0 + 1]) }
                ?? bytes.count
            for b in bytes {
                switch b {
                case 0x30...0x39: expected.digits += 1
                case UInt8(ascii: "@"): expected.ats += 1
                case UInt8(ascii: ":"): expected.colons += 1
                case UInt8(ascii: "."): expected.dots += 1
                case UInt8(ascii: "-"): expected.dashes += 1
                default: break
                }
            }
            XCTAssertEqual(bytes.withUnsafeBufferPointer { PIIByteCounts($0) }, expected, text)
        }
    }

    /// Past 255 words the per-lane sums are folded: counts stay exact on long texts.
    func testPIIByteCountsOnLongTexts() {
        let text = String(repeating: "a1-2.3:4@5 ", count: 400) + "x99"
        let counts = Array(text.utf8).withUnsafeBufferPointer { PIIByteCounts($0) }
        XCTAssertEqual([counts.digits, counts.ats, counts.colons, counts.dots, counts.dashes], [2002, 400, 400, 400, 400])
        XCTAssertEqual(counts.firstDigitPair, text.utf8.count - 2)
    }

    /// Unchanged texts come back as the same string, which is what makes them cheap.
    func testCleanTextComesBackUnchanged() {
        for text in ["plain words here", "x", "", "a-b.c@d:e 123"] {
            XCTAssertEqual(cleanUnicode(text), text)
            XCTAssertEqual(sanitize(text).changed, false, text)
        }
        XCTAssertFalse(containsHTMLTag("no angle brackets at all"))
        XCTAssertTrue(containsHTMLTag("has <b>bold</b>"))
    }
}
