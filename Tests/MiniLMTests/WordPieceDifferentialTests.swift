import Foundation
import MiniLM
import SplitMix
import XCTest

/// The byte-based tokenizer against the scalar-based one it replaced (`ReferenceWordPieceTokenizer`,
/// itself checked against BertTokenizerFast), id for id, with the real all-MiniLM-L6-v2 vocabulary,
/// uncased and cased, on the reference texts, the real sentences of Tests/Fixtures and 10,000 seeded
/// random strings built to hit every branch: ASCII, precomposed and combining accents, CJK, Hangul,
/// emoji, control and format characters, Unicode spaces, special-token literals, words around the
/// 100-scalar limit, long texts past truncation and past the old 2,048-scalar chunks.
final class WordPieceDifferentialTests: XCTestCase {
    private struct Pair {
        let fast: WordPieceTokenizer
        let reference: ReferenceWordPieceTokenizer
        let label: String
    }

    private static var pairs: [Pair] = []

    private func pairs() throws -> [Pair] {
        if Self.pairs.isEmpty {
            let vocabulary = try ReferenceData.modelDirectory().appendingPathComponent("vocab.txt")
            for (lowercase, maxLength) in [(true, 256), (false, 256), (true, 24)] {
                Self.pairs.append(Pair(
                    fast: try WordPieceTokenizer(vocabularyURL: vocabulary, lowercase: lowercase, maxLength: maxLength),
                    reference: try ReferenceWordPieceTokenizer(vocabularyURL: vocabulary, lowercase: lowercase,
                                                               maxLength: maxLength),
                    label: "lowercase \(lowercase), maxLength \(maxLength)"))
            }
        }
        return Self.pairs
    }

    /// Compares every pair on `texts`, through both entry points, and reports the first mismatches.
    /// `strides[i]`: pair `i` sees every strides[i]-th text (the reference costs ~1 ms a text in debug).
    private func assertEqual(_ texts: [String], _ what: String, strides: [Int] = [1, 1, 1],
                             file: StaticString = #filePath, line: UInt = #line) throws {
        var ids: [Int32] = []
        var pieces: [Int32] = []
        for (pair, stride) in zip(try pairs(), strides) {
            var mismatches = 0
            let sample = Swift.stride(from: 0, to: texts.count, by: stride).map { texts[$0] }
            for text in sample {
                let expected = pair.reference.encode(text)
                let got = pair.fast.encode(text)
                pair.fast.encode(text, into: &ids)
                // Without [CLS]/[SEP] and two fewer ids: the same word pieces.
                pair.fast.encode(text, into: &pieces, maxLength: pair.fast.maxLength - 2, addSpecialTokens: false)
                if got != expected || ids != expected || pieces != Array(expected.dropFirst().dropLast()) {
                    mismatches += 1
                    if mismatches <= 3 {
                        XCTFail("\(what), \(pair.label): \(text.unicodeScalars.map { String($0.value, radix: 16) }.prefix(60)) "
                                + "got \(got.prefix(30)), expected \(expected.prefix(30))", file: file, line: line)
                    }
                }
            }
            XCTAssertEqual(mismatches, 0, "\(what), \(pair.label): \(mismatches) of \(sample.count) texts differ",
                           file: file, line: line)
        }
    }

    func testReferenceTexts() throws {
        try assertEqual(ReferenceData.sentences(), "reference texts")
    }

    /// Real English sentences (the planted-paraphrase fixture of the semantic CLI tests), also with
    /// typographic quotes and dashes as real text has them.
    func testRealSentences() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/paraphrases.jsonl")
        struct Row: Decodable { let text: String }
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(Row.self, from: Data($0.utf8)).text }
        XCTAssertGreaterThanOrEqual(rows.count, 30)
        let typographic = rows.map {
            $0.replacingOccurrences(of: "'", with: "\u{2019}").replacingOccurrences(of: " - ", with: " \u{2014} ")
                .replacingOccurrences(of: "e", with: "\u{E9}")
        }
        try assertEqual(rows + typographic + [rows.joined(separator: " ")], "real sentences")
    }

    func testRandomStrings() throws {
        let vocabulary = try String(contentsOf: ReferenceData.modelDirectory().appendingPathComponent("vocab.txt"),
                                    encoding: .utf8).split(separator: "\n").map(String.init)
        var random = SplitMix64(seed: 13)
        var texts: [String] = []
        for index in 0..<10_000 {
            // Mostly short texts; every 500th is long (past truncation and the old 2,048-scalar chunks).
            let pieces = index % 500 == 499 ? 1_500 : Int(random.next() % 24)
            texts.append(Self.randomText(pieces: pieces, vocabulary: vocabulary, random: &random))
        }
        try assertEqual(texts, "random strings", strides: [1, 4, 8])
    }

    /// Long runs of CJK text without ASCII are normalized in pieces (cut before an ideograph, a
    /// Hangul syllable or a space); the ids are those of the whole.
    func testLongNonASCIIStretches() throws {
        let cjk = String(repeating: "中文字\u{301}한국어\u{3000}ｶﾀｶﾅ\u{E9}\u{316}", count: 400)
        let accents = String(repeating: "e\u{301}\u{316}\u{E9}\u{E0}\u{2019}", count: 2_000)
        try assertEqual([cjk, accents, accents + cjk, cjk + accents], "long non-ASCII stretches")
    }

    private static let fragments: [String] = [
        // Spaces and controls: ASCII, Unicode White_Space, C0/C1 controls, format, private use, unassigned.
        " ", "  ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1F}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}",
        "\u{2003}", "\u{2028}", "\u{202F}", "\u{3000}", "\u{0}", "\u{7}", "\u{7F}", "\u{9F}", "\u{AD}", "\u{200B}",
        "\u{200D}", "\u{FEFF}", "\u{FFFD}", "\u{E000}", "\u{378}", "\u{F0000}",
        // Punctuation and symbols, ASCII and not.
        "!", "#", "$", "'", "(", "-", ".", "@", "[", "]", "^", "_", "`", "{", "~", "\u{2018}", "\u{2019}", "\u{201C}",
        "\u{2014}", "\u{2026}", "\u{AB}", "\u{BF}", "\u{A7}", "\u{B0}", "\u{3001}", "\u{3002}", "\u{30FB}", "\u{FF01}",
        "\u{37E}", "\u{1FEF}", "\u{2E2E}", "\u{20AC}", "\u{2122}",
        // Precomposed letters (Latin, Greek, Cyrillic), case mappings that expand or are special.
        "\u{E9}", "\u{C9}", "\u{C5}", "\u{F1}", "\u{DF}", "\u{130}", "\u{131}", "\u{3A3}", "\u{3C2}", "\u{1C5}",
        "\u{FB01}", "\u{212A}", "\u{212B}", "\u{1E9E}", "\u{401}", "\u{439}", "\u{5D0}", "\u{627}", "\u{390}",
        "\u{1F80}", "\u{2126}", "\u{345}",
        // Combining marks: Mn of several classes, a spacing mark with a class, an enclosing mark.
        "\u{301}", "\u{300}", "\u{316}", "\u{327}", "\u{308}", "\u{344}", "\u{5B0}", "\u{93C}", "\u{F73}", "\u{1D165}",
        "\u{1D16D}", "\u{20DD}", "\u{FE0F}", "\u{3099}",
        // CJK, Hangul, kana, Thai, compatibility ideographs.
        "中", "文", "\u{3400}", "\u{20000}", "\u{F900}", "\u{2F800}", "한", "국어", "ひらがな", "カタカナ", "ｶﾀｶﾅ", "ภาษาไทย",
        // Emoji: modifiers, ZWJ sequences, flags, keycaps.
        "👍", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "❤️", "🤖",
        // Special-token literals, whole and broken.
        "[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[mask]", "[MAS", "K]", "[[SEP]]",
        // ASCII words and digits.
        "the", "Hello", "WORLD", "tokenization", "unaffable", "x", "Q", "2026", "3.14", "e-mail", "don't", "C++",
    ]

    private static func randomText(pieces: Int, vocabulary: [String], random: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<pieces {
            switch random.next() % 10 {   // the reference spends ~1 ms (debug) on a long word: few of them
            case 0...3:   // a vocabulary token, continuation marks dropped, sometimes capitalized
                var token = vocabulary[Int(random.next() % UInt64(vocabulary.count))]
                if token.hasPrefix("##") { token.removeFirst(2) }
                text += random.next() % 4 == 0 ? token.uppercased() : token
                text += random.next() % 3 == 0 ? "" : " "
            case 4 where random.next() % 8 == 0:   // a word around the 100-scalar limit, possibly with accents or combining marks
                let length = [98, 99, 100, 101, 102, 150][Int(random.next() % 6)]
                let letter = ["a", "\u{E9}", "e\u{301}", "\u{130}", "ab", "中"][Int(random.next() % 6)]
                text += String(repeating: letter, count: length / letter.unicodeScalars.count) + " "
            case 5:   // random ASCII bytes, controls included
                for _ in 0..<(random.next() % 12) { text.unicodeScalars.append(Unicode.Scalar(UInt8(random.next() % 128))) }
            case 6:   // a random scalar from the BMP or beyond
                let value = UInt32(random.next() % (random.next() % 2 == 0 ? 0x3000 : 0x30000))
                if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
            default:
                text += fragments[Int(random.next() % UInt64(fragments.count))]
            }
        }
        return text
    }
}
