@testable import EntropyGuard
import XCTest

/// Texts and names are bytes: Swift's `String ==` (canonical equivalence) is not what `UTF8Key` and
/// `hasSameUTF8` answer.
final class SupportUTF8KeyTests: XCTestCase {
    private let composed = "caf\u{E9}"
    private let decomposed = "cafe\u{301}"

    func testCanonicallyEquivalentStringsAreDifferentBytes() {
        XCTAssertTrue(composed == decomposed, "the Swift behaviour UTF8Key exists for")
        XCTAssertFalse(composed.hasSameUTF8(as: decomposed))
        XCTAssertFalse(decomposed.hasSameUTF8(as: composed))
        XCTAssertTrue(decomposed.hasSameUTF8(as: String(decoding: Array(decomposed.utf8), as: UTF8.self)))
        XCTAssertTrue("".hasSameUTF8(as: ""))
        XCTAssertFalse("".hasSameUTF8(as: "a"))
        // Long enough to live on the heap (small strings are stored inline).
        let long = String(repeating: "long text ", count: 10)
        XCTAssertTrue((long + composed).hasSameUTF8(as: long + "caf\u{E9}"))
        XCTAssertFalse((long + composed).hasSameUTF8(as: long + decomposed))
        XCTAssertFalse((long + "a").hasSameUTF8(as: long + "b"))
    }

    func testKeysHashAndCompareByBytes() {
        XCTAssertNotEqual(UTF8Key(composed), UTF8Key(decomposed))
        XCTAssertEqual(UTF8Key(decomposed), UTF8Key("cafe" + "\u{301}"))
        let keys: Set<UTF8Key> = [UTF8Key(composed), UTF8Key(decomposed), UTF8Key("caf" + "\u{E9}")]
        XCTAssertEqual(keys.count, 2)
        var index: [UTF8Key: Int] = [:]
        index[UTF8Key(composed)] = 1
        XCTAssertNil(index[UTF8Key(decomposed)])
        XCTAssertEqual(index[UTF8Key("caf\u{E9}")], 1)
    }

    func testCollectionLookupsByBytes() {
        let names = [decomposed, "id", composed]
        XCTAssertEqual(names.firstIndex(of: composed), 0, "firstIndex(of:) finds the decomposed name")
        XCTAssertEqual(names.firstIndex(sameUTF8As: composed), 2)
        XCTAssertEqual(names.firstIndex(sameUTF8As: decomposed), 0)
        XCTAssertFalse(["id", decomposed].contains(sameUTF8As: composed))
        XCTAssertTrue(["id", decomposed].contains(sameUTF8As: "id"))
    }
}
