import XCTest
@testable import EntropyGuard

final class CleaningHTMLTests: XCTestCase {
    /// Full sanitize with HTML + Unicode on and PII off, so only markup handling is under test.
    private func clean(_ text: String) -> String {
        sanitize(text, options: SanitizeOptions(piiKinds: [])).text
    }

    func testNotHTMLStaysUntouched() {
        let cases = [
            "a < b and c > d",
            "x<y",
            "<3 you",
            "List<String> and Vec<T>",
            "if (a<b && c>d) return",
            "AT&amp;T without tags keeps its entity",
            "5 > 3 & 2 < 4",
        ]
        for text in cases {
            XCTAssertFalse(containsHTMLTag(text), text)
            let result = sanitize(text, options: SanitizeOptions(piiKinds: []))
            XCTAssertEqual(result.text, text)
            XCTAssertFalse(result.htmlStripped, text)
        }
    }

    func testEmailInAngleBracketsIsNotATag() {
        XCTAssertFalse(containsHTMLTag("Write to <a@b.com> today"))
        XCTAssertEqual(sanitize("Write to <a@b.com> today").text, "Write to <[EMAIL_REMOVED]> today")
    }

    func testTagsAreRemoved() {
        let cases: [(String, String)] = [
            ("<b>bold</b> text", "bold text"),
            ("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
            ("line<br>next<br/>last", "line\nnext\nlast"),
            ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
            ("<h1>Title</h1>Body", "Title\n\nBody"),
            ("<div class=\"x\">a</div><div>b</div>", "a\nb"),
            ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
            ("<a href=\"http://x.com/?a=1&b=2\" title='x > y'>link</a>", "link"),
            ("<SPAN STYLE='color:red'>Case</SPAN> kept", "Case kept"),
            ("<!DOCTYPE html><html><body>x</body></html>", "x"),
            ("<p>x<y</p>", "x<y"),
            ("<p>a < b and c > d</p>", "a < b and c > d"),
            ("<blockquote>q</blockquote><pre>code</pre>", "q\n\ncode"),
            ("<section><article><header>h</header>t<footer>f</footer></article></section>", "h\n\nt\n\nf"),
            ("<p>Mail <a@b.com> now</p>", "Mail <a@b.com> now"),
            ("<p><custom-widget data-x=1>inner</custom-widget></p>", "inner"),
            ("<p>\n  <span>indented</span>\n</p>", "indented"),
        ]
        for (input, expected) in cases {
            XCTAssertTrue(containsHTMLTag(input), input)
            XCTAssertEqual(clean(input), expected, input)
        }
    }

    func testScriptStyleAndCommentsAreDropped() {
        let cases: [(String, String)] = [
            ("<p>a</p><script>var x = '<p>no</p>';</script><p>b</p>", "a\n\nb"),
            ("<style>p { color: red }</style>text", "text"),
            ("<SCRIPT type=\"text/javascript\">alert(1)</SCRIPT>ok", "ok"),
            ("before<!-- a <b>comment</b> -->after<p>", "beforeafter"),
            ("<noscript>enable js</noscript><template><b>t</b></template>shown<br>", "shown"),
            ("<p>x</p><script>never closed", "x"),
            ("<p>x</p><!-- never closed", "x"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(clean(input), expected, input)
        }
    }

    func testMalformedAndNestedHTMLDoesNotLeakTags() {
        let cases: [(String, String)] = [
            ("<div><div><div><p>deep</p></div></div></div>", "deep"),
            ("<b><i>overlap</b></i>", "overlap"),
            ("<p>unclosed <b>bold", "unclosed bold"),
            ("<p>text <a href=\"x", "text"),
            ("<p>text <div class=\"x", "text"),
            ("<div <p>inner</p>", "inner"),
            ("<p title=\"unbalanced>quote</p>", "quote"),
            ("</p>stray close<p>", "stray close"),
            ("<p>a</p>>>", "a\n\n>>"),
            ("<p><</p>", "<"),
            ("<p>&</p>", "&"),
            ("<p>x</p><br", "x"),
        ]
        for (input, expected) in cases {
            let output = clean(input)
            XCTAssertEqual(output, expected, input)
            XCTAssertFalse(output.contains("<p") || output.contains("<div") || output.contains("<a ")
                           || output.contains("href"), "tag text leaked from \(input): \(output)")
        }
    }

    func testCDATAKeepsItsText() {
        XCTAssertEqual(clean("<p><![CDATA[raw <text>]]></p>"), "raw <text>")
    }

    func testEntities() {
        let cases: [(String, String)] = [
            ("<p>AT&amp;T &lt;tag&gt; &quot;q&quot; &apos;a&apos;</p>", "AT&T <tag> \"q\" 'a'"),
            ("<p>&amp;lt; stays single-decoded</p>", "&lt; stays single-decoded"),
            ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
            ("<p>&#x1F600; &#128512; &#X41;&#66;</p>", "😀 😀 AB"),
            ("<p>&foo; and &unknownthing;</p>", "&foo; and &unknownthing;"),
            ("<p>&amp no semicolon, &lt3, &copy 2024</p>", "& no semicolon, <3, © 2024"),
            ("<p>&ampfoo &copy2024 &notanentity</p>", "&foo ©2024 &notanentity"),
            ("<p>caf&eacute; na&iuml;ve &Eacute;t&eacute; &euro;5 &mdash; &hellip; &trade;</p>", "café naïve Été €5 — … ™"),
            ("<p>&alpha;&Omega;&sigmaf; &rarr; &ne; &infin;</p>", "αΩς → ≠ ∞"),
            ("<p>&#150; cp1252 dash, &#0; null, &#xD800; surrogate, &#99999999; huge</p>",
             "– cp1252 dash, \u{FFFD} null, \u{FFFD} surrogate, \u{FFFD} huge"),
            ("<p>&# alone &#x; empty</p>", "&# alone &#x; empty"),
            ("<p>a&nbsp;&nbsp;b</p>", "a b"),
            ("<p>soft&shy;hyphen zero&#8203;width</p>", "softhyphen zerowidth"),
            ("<p>trailing &amp</p>", "trailing &"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(clean(input), expected, input)
        }
    }

    func testStripHTMLPieceDecodesWithoutCleaning() {
        XCTAssertEqual(stripHTML("<p>a</p><p>b</p>"), "a\n\nb\n\n")
        XCTAssertEqual(stripHTML("a<br><br>b</li><li>c"), "a\n\nb\nc")
        XCTAssertEqual(stripHTML("x&lt;y<br>"), "x<y\n")
    }

    func testNamedEntityTableCoversHTML4() {
        // 96 Latin-1 + 24 Greek capitals + 25 small Greek letters and symbols etc: at least the 252 of HTML 4.
        XCTAssertGreaterThanOrEqual(HTMLEntities.named.count, 252)
        XCTAssertEqual(HTMLEntities.named["yuml"], "\u{FF}")
        XCTAssertEqual(HTMLEntities.named["Omega"], "\u{3A9}")
        XCTAssertEqual(HTMLEntities.named["Sigma"], "\u{3A3}")
        XCTAssertEqual(HTMLEntities.named["omega"], "\u{3C9}")
    }
}
