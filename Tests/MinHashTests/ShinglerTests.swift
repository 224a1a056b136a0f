import CXXHash
@testable import MinHash
import XCTest

final class ShinglerTests: XCTestCase {
    private func shingler(_ setting: String) -> Shingler { Shingler(setting: try! ShingleSetting(parsing: setting)) }

    func testSettingParsesAndDescribes() throws {
        XCTAssertEqual(try ShingleSetting(parsing: "words:5"), ShingleSetting.defaultSetting)
        XCTAssertEqual(try ShingleSetting(parsing: "chars:3").description, "chars:3")
        for bad in ["word:5", "words:0", "words:", "words:x", "words:65", "chars:-1", "words:5:1", "", "words: 5"] {
            XCTAssertThrowsError(try ShingleSetting(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("'\(bad)'"), "\(error)")
            }
        }
        XCTAssertNotEqual(try ShingleSetting(parsing: "words:5").canonical, try ShingleSetting(parsing: "chars:5").canonical)
        XCTAssertTrue(ShingleSetting.defaultSetting.canonical.contains(Shingler.normalization))
    }

    func testNormalisationLowercasesAndTurnsPunctuationIntoSpaces() {
        let s = shingler("words:5")
        XCTAssertEqual(s.normalized("  Hello,   World!\tIt's\n\n(fine)  "), "hello world it s fine")
        XCTAssertEqual(s.normalized("data, model"), s.normalized("data model."))
        XCTAssertEqual(s.normalized("ver 2.0 -- page 3"), "ver 2 0 page 3")
        // Unicode: lowercase, NBSP and em dash separate, soft hyphen and zero-width joiner vanish.
        XCTAssertEqual(s.normalized("CAFÉ\u{00A0}Déjà—VU co\u{00AD}operate a\u{200D}b"), "café déjà vu cooperate ab")
        XCTAssertEqual(s.normalized("Straße ΣΟΦΙΑ «quoted» 東京"), "straße σοφια quoted 東京")
        // The ASCII fast path and the Unicode path agree on the ASCII part.
        XCTAssertEqual(s.normalized("ABC def, GHI é"), s.normalized("ABC def, GHI") + " é")
    }

    func testWordShinglesAndShortTexts() {
        let s = shingler("words:2")
        XCTAssertEqual(s.shingles("A b, C."), ["a b", "b c"])
        XCTAssertEqual(s.shingles("one"), ["one"])          // shorter than one shingle: one shingle
        XCTAssertEqual(shingler("words:5").shingles("just four words here"), ["just four words here"])
        XCTAssertEqual(s.shingles(""), [""])
        XCTAssertEqual(s.shingles("   \n "), [""])
        // No letter or digit: the punctuation is kept, so these differ.
        XCTAssertEqual(s.shingles("!!!  ?"), ["!!! ?"])
        XCTAssertNotEqual(s.shingles("!!!"), s.shingles("???"))
        XCTAssertEqual(s.shingles("— …"), ["— …"])
    }

    func testCharacterShinglesCountScalars() {
        XCTAssertEqual(shingler("chars:3").shingles("ab,CD"), ["ab ", "b c", " cd"])
        XCTAssertEqual(shingler("chars:2").shingles("héllo"), ["hé", "él", "ll", "lo"])
        XCTAssertEqual(shingler("chars:10").shingles("short"), ["short"])
    }

    func testHashesAreXXH3OfTheShinglesModuloTheMersennePrime() {
        for setting in ["words:5", "words:1", "chars:4"] {
            let s = shingler(setting)
            for text in ["The quick brown fox jumps over the lazy dog, twice: the QUICK brown fox!", "tiny", "", "Ünïcödé wörds hère"] {
                let expected = s.shingles(text).map { shingle -> UInt64 in
                    var shingle = shingle
                    return Shingler.reduce(shingle.withUTF8 { XXH3_64bits($0.baseAddress, $0.count) })
                }
                let hashes = s.withShingleHashes(text) { Array($0) }
                XCTAssertEqual(hashes, expected, "\(setting) \(text)")
                XCTAssertTrue(hashes.allSatisfy { $0 < (1 << 61) - 1 })
            }
        }
    }

    /// Buffers grow for long texts and many words, and a long text followed by a short one leaves nothing behind.
    func testLongTextsThenShortOnes() {
        let s = shingler("words:3")
        let long = (0..<20_000).map { "Wörd\($0)" }.joined(separator: " ")
        XCTAssertEqual(s.shingles(long).count, 19_998)
        XCTAssertEqual(s.shingles("a b c d"), ["a b c", "b c d"])
        let ascii = (0..<30_000).map { "w\($0)" }.joined(separator: ",")
        XCTAssertEqual(s.withShingleHashes(ascii) { $0.count }, 29_998)
        XCTAssertEqual(s.shingles("x"), ["x"])
    }
}
