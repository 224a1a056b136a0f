import SplitMix
import XCTest
@testable import EntropyGuard

final class CleaningSanitizeTests: XCTestCase {
    func testPythonToolKnownFailures() {
        // The Python tool masked "order 1234567890" as a phone and turned a card into "[PHONE_REMOVED]010".
        XCTAssertEqual(sanitize("order 1234567890 shipped").text, "order 1234567890 shipped")
        XCTAssertEqual(sanitize("card 4532123456789014").text, "card [CREDIT_CARD_REMOVED]")
        // 4532123456789010 itself fails Luhn: it is not a card, and it must not be partly masked either.
        XCTAssertEqual(sanitize("card 4532123456789010").text, "card 4532123456789010")
    }

    func testFullPipeline() {
        let input = "<html><body><h1>Contact</h1><p>Mail: JOHN@Example.com&nbsp;&nbsp;or call "
            + "<b>+44&nbsp;20&nbsp;7946&nbsp;0958</b>.</p><script>track()</script>"
            + "<p>Caf\u{65}\u{301} &amp; Bar\u{200B}!</p></body></html>"
        let result = sanitize(input)
        XCTAssertEqual(result.text, "Contact\n\nMail: [EMAIL_REMOVED] or call [PHONE_REMOVED].\n\nCaf\u{E9} & Bar!")
        XCTAssertEqual(result.piiCounts, [.email: 1, .phone: 1])
        XCTAssertTrue(result.htmlStripped)
        XCTAssertTrue(result.changed)
    }

    /// A text whose only change is NFC has changed: its bytes differ (String `==` would say equal).
    func testNormalizationAloneIsAChange() {
        let decomposed = "Cafe\u{301} au lait"
        let result = sanitize(decomposed)
        XCTAssertTrue(result.changed)
        XCTAssertEqual(Array(result.text.utf8), Array("Caf\u{E9} au lait".utf8))
        let composed = sanitize("Caf\u{E9} au lait")
        XCTAssertFalse(composed.changed)
        XCTAssertEqual(Array(composed.text.utf8), Array("Caf\u{E9} au lait".utf8))
        let kept = sanitize(decomposed, options: SanitizeOptions(normalizeUnicode: false))
        XCTAssertFalse(kept.changed)
        XCTAssertEqual(Array(kept.text.utf8), Array(decomposed.utf8))
    }

    func testZeroWidthInsidePIIIsRemovedBeforeMasking() {
        XCTAssertEqual(sanitize("jo\u{200B}hn@exa\u{AD}mple.com").text, "[EMAIL_REMOVED]")
        XCTAssertEqual(sanitize("<p>jo<b>hn</b>@example.com</p>").text, "[EMAIL_REMOVED]")
    }

    func testOptionsSwitchStepsOff() {
        let input = "<p>a  b</p> x@y.com"
        XCTAssertEqual(sanitize(input, options: SanitizeOptions(stripHTML: false)).text, "<p>a b</p> [EMAIL_REMOVED]")
        XCTAssertEqual(sanitize(input, options: SanitizeOptions(normalizeUnicode: false)).text,
                       "a  b\n\n [EMAIL_REMOVED]")
        XCTAssertEqual(sanitize(input, options: SanitizeOptions(piiKinds: [])).text, "a b\n\nx@y.com")
        let none = sanitize(input, options: SanitizeOptions(stripHTML: false, normalizeUnicode: false, piiKinds: []))
        XCTAssertEqual(none.text, input)
        XCTAssertFalse(none.changed)
        XCTAssertFalse(none.htmlStripped)
    }

    func testUnchangedTextReportsNoChange() {
        let result = sanitize("Plain text, Case Kept. 2024-01-15")
        XCTAssertEqual(result.text, "Plain text, Case Kept. 2024-01-15")
        XCTAssertFalse(result.changed)
        XCTAssertTrue(result.piiCounts.isEmpty)
    }

    func testDeterministicOnRandomInputAndNoCrash() {
        // Random mixes of markup, entities, digits and separators must never crash and must be stable.
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("<>/&;#x!-pdivbrscript\"' =.:@+()0123456789abcXYZ\n\r\t\u{A0}\u{200B}\u{200D}é😀")
        for _ in 0..<2000 {
            let length = Int(rng.next() % 80)
            let text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let first = sanitize(text)
            XCTAssertEqual(sanitize(text), first)
            XCTAssertFalse(first.text.hasPrefix(" ") || first.text.hasSuffix(" "))
        }
    }
}
