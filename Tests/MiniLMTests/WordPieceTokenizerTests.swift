import Foundation
import MiniLM
import XCTest

/// WordPiece rules on a hand-made vocabulary (the 204 reference texts cover the real one).
final class WordPieceTokenizerTests: XCTestCase {
    private static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able",
                                     "cafe", "hello", "world", "!", ",", "中", "文", "a", "##a", "[", "]", "cl", "##s"]
    private var tokenizer: WordPieceTokenizer!

    override func setUpWithError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Self.vocabulary.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        tokenizer = try WordPieceTokenizer(vocabularyURL: url, lowercase: true, maxLength: 12)
        try FileManager.default.removeItem(at: url)
    }

    private func tokens(_ text: String) -> [String] {
        tokenizer.encode(text).map { Self.vocabulary[Int($0)] }
    }

    func testGreedyLongestMatchWithContinuations() {
        XCTAssertEqual(tokens("unaffable"), ["[CLS]", "un", "##aff", "##able", "[SEP]"])
        XCTAssertEqual(tokens("unaffablex"), ["[CLS]", "[UNK]", "[SEP]"])  // unmatched rest: whole word unknown
    }

    func testNormalizationLowercasesStripsAccentsAndCleans() {
        XCTAssertEqual(tokens("  HELLO,\u{00A0}Café\u{0000}\u{200B}!\u{FFFD} "),
                       ["[CLS]", "hello", ",", "cafe", "!", "[SEP]"])
        XCTAssertEqual(tokens("hel\u{0007}lo"), ["[CLS]", "hello", "[SEP]"])  // control chars are dropped
    }

    func testCJKCharactersAreSeparateWords() {
        XCTAssertEqual(tokens("hello中文world"), ["[CLS]", "hello", "中", "文", "world", "[SEP]"])
    }

    func testSpecialTokenLiteralsAreAtomicAndCaseSensitive() {
        XCTAssertEqual(tokens("hello[MASK]world [SEP]"), ["[CLS]", "hello", "[MASK]", "world", "[SEP]", "[SEP]"])
        XCTAssertEqual(tokens("[cls]"), ["[CLS]", "[", "cl", "##s", "]", "[SEP]"])
    }

    func testWordsOverOneHundredScalarsAreUnknown() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try? Self.vocabulary.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let long = try! WordPieceTokenizer(vocabularyURL: url, lowercase: true, maxLength: 512)
        XCTAssertEqual(long.encode(String(repeating: "a", count: 100)).count, 102)
        XCTAssertEqual(long.encode(String(repeating: "a", count: 101)), [2, 1, 3])
    }

    func testTruncationKeepsClsAndSep() {
        let ids = tokenizer.encode(Array(repeating: "hello", count: 20).joined(separator: " "))
        XCTAssertEqual(ids.count, 12)
        XCTAssertEqual(ids.first, 2)
        XCTAssertEqual(ids.last, 3)
        XCTAssertEqual(tokens(""), ["[CLS]", "[SEP]"])
    }

    func testHugeTextTokenizesLikeItsBeginning() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Self.vocabulary.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let wide = try WordPieceTokenizer(vocabularyURL: url, lowercase: true, maxLength: 3000)
        let words = ["hello", "world!", "café,", "unaffable", "中文", "aaaa", "[MASK]", "zzz"]
        let text = (0..<50_000).map { words[$0 * 7 % words.count] }.joined(separator: " \n ")
        let ids = wide.encode(text)
        XCTAssertEqual(ids.count, 3000)
        XCTAssertEqual(ids, wide.encode(String(text.prefix(20_000))))  // chunking changes nothing
    }
}
