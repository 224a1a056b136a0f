import SplitMix
import XCTest
@testable import EntropyGuard

final class CleaningChunkerTests: XCTestCase {
    func testShortAndBlankTexts() {
        let chunker = Chunker(size: 20, overlap: 5)
        XCTAssertEqual(chunker.chunks(of: "short text"), ["short text"])
        XCTAssertEqual(chunker.chunks(of: String(repeating: "x", count: 20)), [String(repeating: "x", count: 20)])
        XCTAssertEqual(chunker.chunks(of: ""), [])
        XCTAssertEqual(chunker.chunks(of: "   \n\n  "), [])
        // Size counts scalars, not bytes or grapheme clusters: 20 emoji scalars fit in one chunk of 20.
        XCTAssertEqual(chunker.chunks(of: String(repeating: "😀", count: 20)).count, 1)
        XCTAssertEqual(Chunker(size: 4, overlap: 0).chunks(of: "e\u{301}e\u{301}e\u{301}"), ["e\u{301}e\u{301}", "e\u{301}"])
    }

    func testSplitsOnParagraphsFirstAndKeepsSeparators() {
        let chunker = Chunker(size: 12, overlap: 0)
        XCTAssertEqual(chunker.chunks(of: "para one\n\npara two\n\npara 3"), ["para one\n\n", "para two\n\n", "para 3"])
        XCTAssertEqual(chunker.chunks(of: "line one\nline two\nl3"), ["line one\n", "line two\nl3"])
        XCTAssertEqual(chunker.chunks(of: "First one. Second! Third? End"), ["First one. ", "Second! ", "Third? End"])
    }

    func testPacksSmallPiecesTogether() {
        XCTAssertEqual(Chunker(size: 10, overlap: 0).chunks(of: "a b c d e f g h i j k l"),
                       ["a b c d e ", "f g h i j ", "k l"])
    }

    func testOverlapStartsAtWordBoundary() {
        let chunks = Chunker(size: 20, overlap: 8).chunks(of: "alpha beta gamma delta epsilon zeta eta theta")
        XCTAssertEqual(chunks, ["alpha beta gamma ", "gamma delta epsilon ", "epsilon zeta eta ", "eta theta"])
    }

    func testLongWordFallsBackToCharacters() {
        let chunks = Chunker(size: 4, overlap: 1).chunks(of: "abcdefghij")
        XCTAssertEqual(chunks, ["abcd", "efgh", "ij"])
    }

    func testCustomSeparators() {
        let chunker = Chunker(size: 6, overlap: 0, separators: [";"])
        XCTAssertEqual(chunker.chunks(of: "aa;bb;cc;dd"), ["aa;bb;", "cc;dd"])
    }

    func testInvariantsOnRandomTexts() {
        var rng = SplitMix64(seed: 7)
        let words = ["a", "the", "entropy", "guard", "dataset", "é", "日本語", "😀", "x\u{301}", "supercalifragilistic",
                     "well.", "yes!", "why?", "\n", "\n\n", "\n\n\n", " ", "  ", "\t"]
        for trial in 0..<400 {
            let wordCount = Int(rng.next() % 120)
            var text = ""
            for _ in 0..<wordCount {
                text += words[Int(rng.next() % UInt64(words.count))]
                if rng.next() % 3 != 0 { text += " " }
            }
            let size = 5 + Int(rng.next() % 60)
            let overlap = Int(rng.next() % UInt64(size))
            let chunker = Chunker(size: size, overlap: overlap)
            let scalars = Array(text.unicodeScalars)
            let ranges = chunker.chunkRanges(of: text)
            let chunks = chunker.chunks(of: text)
            let context = "trial \(trial) size \(size) overlap \(overlap) text \(text.debugDescription)"
            XCTAssertEqual(ranges.count, chunks.count, context)

            var rebuilt: [Unicode.Scalar] = []
            var previous: Range<Int>?
            for (range, chunk) in zip(ranges, chunks) {
                XCTAssertEqual(Array(chunk.unicodeScalars), Array(scalars[range]), context)
                XCTAssertLessThanOrEqual(chunk.unicodeScalars.count, size, context)
                XCTAssertFalse(chunk.allSatisfy(\.isWhitespace), context)
                if let previous {
                    XCTAssertGreaterThan(range.lowerBound, previous.lowerBound, context)
                    if range.lowerBound < previous.upperBound {
                        // Overlap: at most `overlap` scalars, starting at a word boundary.
                        XCTAssertLessThanOrEqual(previous.upperBound - range.lowerBound, overlap, context)
                        XCTAssertTrue(scalars[range.lowerBound - 1].properties.isWhitespace, context)
                        XCTAssertFalse(scalars[range.lowerBound].properties.isWhitespace, context)
                    } else {
                        // A gap may only hold whitespace (a skipped blank stretch).
                        let gap = scalars[previous.upperBound..<range.lowerBound]
                        XCTAssertTrue(gap.allSatisfy(\.properties.isWhitespace), context)
                        rebuilt.append(contentsOf: gap)
                    }
                    rebuilt.append(contentsOf: scalars[max(range.lowerBound, previous.upperBound)..<range.upperBound])
                } else {
                    XCTAssertTrue(scalars[..<range.lowerBound].allSatisfy(\.properties.isWhitespace), context)
                    rebuilt.append(contentsOf: scalars[..<range.upperBound])
                }
                previous = range
            }
            rebuilt.append(contentsOf: scalars[(previous?.upperBound ?? 0)...])
            XCTAssertEqual(rebuilt, scalars, "chunks minus overlaps must rebuild the text: \(context)")
            if scalars.contains(where: { !$0.properties.isWhitespace }) {
                XCTAssertFalse(chunks.isEmpty, context)
                // Everything after the last chunk is whitespace.
                XCTAssertTrue(scalars[previous!.upperBound...].allSatisfy(\.properties.isWhitespace), context)
            }
            if scalars.count <= size && !chunks.isEmpty { XCTAssertEqual(chunks, [text], context) }
        }
    }

    func testParseSeparators() {
        XCTAssertEqual(Chunker.parseSeparators("\\n\\n,\\n,. , "), ["\n\n", "\n", ". ", " "])
        XCTAssertEqual(Chunker.parseSeparators("a\\,b,\\t,,\\\\"), ["a,b", "\t", "\\"])
        XCTAssertEqual(Chunker.parseSeparators("\\x,end\\"), ["\\x", "end\\"])
        XCTAssertEqual(Chunker.parseSeparators(""), [])
    }

    func testValidate() {
        XCTAssertNoThrow(try Chunker.validate(size: 512, overlap: 50))
        XCTAssertNoThrow(try Chunker.validate(size: 1, overlap: 0))
        XCTAssertThrowsError(try Chunker.validate(size: 0, overlap: 0)) { error in
            XCTAssertEqual("\(error)", "chunk size must be greater than 0 (got 0)")
        }
        XCTAssertThrowsError(try Chunker.validate(size: 100, overlap: 100)) { error in
            XCTAssertEqual("\(error)", "chunk overlap (100) must be smaller than chunk size (100)")
        }
        XCTAssertThrowsError(try Chunker.validate(size: 100, overlap: -1))
    }
}
