import Foundation
import MiniLM
import XCTest

/// WordPiece rules on a hand-made vocabulary (the 204 reference texts cover the real one).
final class WordPieceTokenizerTests: XCTestCase {
    private static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able",
                                     "cafe", "hello", "world", "!", ",", "中", "文", "a", "##a", "[", "]", "cl", "##s", "年"]
    private var tokenizer: WordPieceTokenizer!

    override func setUpWithError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Self.vocabulary.joined(separator: "\n").write(to: url, atomically: false, encoding: .utf8)
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

    /// U+F98E is a compatibility ideograph whose NFD is 年; BertTokenizerFast decomposes it alone too
    /// (tokenizers 0.23: [101, 1840, 102]). The scalar tokenizer did so only beside another non-ASCII letter.
    func testCompatibilityIdeographsDecomposeAlone() {
        XCTAssertEqual(tokens("\u{F98E}"), ["[CLS]", "年", "[SEP]"])
        XCTAssertEqual(tokens("a\u{F98E}\u{E9}"), ["[CLS]", "a", "年", "[UNK]", "[SEP]"])
    }

    /// U+0085 is Unicode whitespace but a control character, so BERT's clean-up drops it and the word
    /// goes on (tokenizers 0.23: "aa\u{85}aa" is one word), also where the scalar tokenizer ended a
    /// 2,048-scalar chunk on it.
    func testNextLineControlJoinsWordsEvenPastTwoThousandScalars() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Self.vocabulary.joined(separator: "\n").write(to: url, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let wide = try WordPieceTokenizer(vocabularyURL: url, lowercase: true, maxLength: 3000)
        XCTAssertEqual(wide.encode("aa\u{85}aa"), [2, 15, 16, 16, 16, 3])
        let prefix = String(repeating: "a ", count: 1023)   // U+0085 at scalar 2,048
        XCTAssertEqual(Array(wide.encode(prefix + "aa\u{85}aa").suffix(5)), [15, 16, 16, 16, 3])
    }

    func testSpecialTokenLiteralsAreAtomicAndCaseSensitive() {
        XCTAssertEqual(tokens("hello[MASK]world [SEP]"), ["[CLS]", "hello", "[MASK]", "world", "[SEP]", "[SEP]"])
        XCTAssertEqual(tokens("[cls]"), ["[CLS]", "[", "cl", "##s", "]", "[SEP]"])
    }

    private func tokenizer(_ vocabulary: [String], separator: String = "\n", lowercase: Bool) throws -> WordPieceTokenizer {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Data(vocabulary.joined(separator: separator).utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try WordPieceTokenizer(vocabularyURL: url, lowercase: lowercase, maxLength: 16)
    }

    /// Vocabulary entries are bytes, as in the Rust tokenizer: with accents kept (a cased model) nothing
    /// normalizes the text, and "cafe\u{301}" must not find the entry "caf\u{E9}" (a String lookup did).
    func testCasedLookupIsByBytes() throws {
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "caf\u{E9}", "cafe", "##\u{301}", "au"]
        let cased = try tokenizer(vocabulary, lowercase: false)
        XCTAssertEqual(cased.encode("caf\u{E9} au"), [2, 5, 8, 3])
        XCTAssertEqual(cased.encode("cafe\u{301} au"), [2, 6, 7, 8, 3])
        // Uncased: accents are stripped first, so both forms are "cafe".
        let uncased = try tokenizer(vocabulary, lowercase: true)
        XCTAssertEqual(uncased.encode("Caf\u{E9}"), [2, 6, 3])
        XCTAssertEqual(uncased.encode("Cafe\u{301}"), [2, 6, 3])
    }

    /// A vocab.txt with CRLF line ends loads (splitting the String on "\n" never split: "\r\n" is one Character).
    func testCRLFVocabularyLoads() throws {
        let crlf = try tokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello"], separator: "\r\n", lowercase: true)
        XCTAssertEqual(crlf.encode("Hello"), [2, 4, 3])
    }

    func testWordsOverOneHundredScalarsAreUnknown() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try? Self.vocabulary.joined(separator: "\n").write(to: url, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let long = try! WordPieceTokenizer(vocabularyURL: url, lowercase: true, maxLength: 512)
        XCTAssertEqual(long.encode(String(repeating: "a", count: 100)).count, 102)
        XCTAssertEqual(long.encode(String(repeating: "a", count: 101)), [2, 1, 3])
    }

    /// A token listed twice keeps its first id, continuation or not, as the dictionary lookup did; keys
    /// longer than the 8 bytes a table slot holds are compared in full.
    func testRepeatedTokensKeepFirstIdAndLongKeysCompareFully() throws {
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "hello", "##s", "##s",
                          "tokenizations", "tokenizationz", "##ization", "token"]
        let tokenizer = try tokenizer(vocabulary, lowercase: true)
        XCTAssertEqual(tokenizer.encode("hellos"), [2, 4, 6, 3])
        XCTAssertEqual(tokenizer.encode("tokenizationz tokenizations tokenization"), [2, 9, 8, 11, 10, 3])
        XCTAssertEqual(tokenizer.encode("tokenizationy"), [2, 1, 3])
    }

    /// The buffer entry point: same ids as `encode(_:)`, the buffer reused, optional [CLS]/[SEP], its own
    /// length limit; raw UTF-8 with an invalid sequence reads as `String(decoding:as:)` does.
    func testEncodeIntoBuffer() {
        var ids: [Int32] = [99, 99, 99]
        tokenizer.encode("Hello, world!", into: &ids)
        XCTAssertEqual(ids, tokenizer.encode("Hello, world!"))
        tokenizer.encode("hello world"[...], into: &ids, addSpecialTokens: false)
        XCTAssertEqual(ids, [9, 10])
        tokenizer.encode("hello world hello world", into: &ids, maxLength: 3)
        XCTAssertEqual(ids, [2, 9, 3])
        tokenizer.encode("hello world hello world", into: &ids, maxLength: 3, addSpecialTokens: false)
        XCTAssertEqual(ids, [9, 10, 9])
        tokenizer.encode(String(repeating: "hello ", count: 30), into: &ids, maxLength: .max)   // no truncation
        XCTAssertEqual(ids, [2] + Array(repeating: 9, count: 30) + [3])
        tokenizer.encode("", into: &ids, addSpecialTokens: false)
        XCTAssertEqual(ids, [])
        let bytes: [UInt8] = Array("hel".utf8) + [0xC3, 0xFF, 0xE4, 0xB8] + Array("lo 中文 [MASK]".utf8)
        bytes.withUnsafeBufferPointer { tokenizer.encode(utf8: $0, into: &ids) }
        XCTAssertEqual(ids, tokenizer.encode(String(decoding: bytes, as: UTF8.self)))
        XCTAssertEqual(ids, [2, 9, 13, 14, 4, 3])
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
        try Self.vocabulary.joined(separator: "\n").write(to: url, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let wide = try WordPieceTokenizer(vocabularyURL: url, lowercase: true, maxLength: 3000)
        let words = ["hello", "world!", "café,", "unaffable", "中文", "aaaa", "[MASK]", "zzz"]
        let text = (0..<50_000).map { words[$0 * 7 % words.count] }.joined(separator: " \n ")
        let ids = wide.encode(text)
        XCTAssertEqual(ids.count, 3000)
        XCTAssertEqual(ids, wide.encode(String(text.prefix(20_000))))  // chunking changes nothing
    }
}
