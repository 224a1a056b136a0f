import XCTest
@testable import EntropyGuard

/// Input bytes quoted in messages: escaped, on one line, bounded.
final class SnippetTests: XCTestCase {
    func testEscapesWhatDoesNotPrint() {
        XCTAssertEqual(Snippet.printable(ingestBytes("a\tb\nc\r") + [0x00, 0x1B, 0x7F]), #"a\tb\nc\r\x00\x1B\x7F"#)
        // Bytes that are not UTF-8 show as themselves; valid multi-byte characters stay.
        XCTAssertEqual(Snippet.printable([0x50, 0x41, 0x52, 0x31, 0x15, 0xC3, 0x28, 0xFF] + ingestBytes("é日")), #"PAR1\x15\xC3(\xFFé日"#)
        // Characters that would reorder or hide the text around them.
        XCTAssertEqual(Snippet.printable("x\u{202E}y\u{200B}z\u{85}"), #"x\u{202E}y\u{200B}z\u{85}"#)
    }

    func testShortensToTheLimitWithAnEllipsis() {
        XCTAssertEqual(Snippet.printable(ingestBytes(String(repeating: "ab", count: 100)), limit: 5), "ababa…")
        XCTAssertEqual(Snippet.printable(ingestBytes("abcde"), limit: 5), "abcde")
        // An escape is never cut in half.
        XCTAssertEqual(Snippet.printable([0x61, 0x62, 0xFF], limit: 5), "ab…")
        XCTAssertEqual(Snippet.printable([UInt8](repeating: 0, count: 1_000_000)).count, 81)
    }

    func testNamesAreEscapedAndCounted() {
        XCTAssertEqual(Snippet.names(["a", "b\u{1B}[31m"]), #"a, b\x1B[31m"#)
        XCTAssertEqual(Snippet.names((1...25).map { "c\($0)" }, limit: 3), "c1, c2, c3, … (22 more)")
        XCTAssertEqual(Snippet.names([String]()), "(none)")
    }
}
