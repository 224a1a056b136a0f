#if canImport(Glibc)
import Glibc
#endif

/// True when `text` contains at least one HTML tag: `<name attr="v" ...>`/`</name>` with a known element
/// name and well-formed attributes, a comment `<!--`, or `<!doctype`. Plain text such as "a < b and c > d", "x<y", "<3", `List<String>` or
/// an address in angle brackets (`<a@b.com>`: "a" is followed by "@", so it is not a tag) or code like
/// `if (a<b && c>d)` ("&&" is not an attribute) is not HTML.
public func containsHTMLTag(_ text: String) -> Bool {
    // Most texts have no "<" at all: memchr over the string's own storage, no copy.
    var text = text
    guard text.withUTF8({ $0.count > 0 && memchr($0.baseAddress!, 0x3C, $0.count) != nil }) else { return false }
    let bytes = Array(text.utf8)
    var i = 0
    while let lt = nextByte(UInt8(ascii: "<"), in: bytes, from: i) {
        if CleanBytes.matchesLowercase(bytes, at: lt + 1, "!--")
            || CleanBytes.matchesLowercase(bytes, at: lt + 1, "!doctype") {
            return true
        }
        if let tag = HTMLStripScanner.parseTag(bytes, at: lt), HTMLTags.known.contains(tag.name),
           HTMLStripScanner.hasWellFormedAttributes(bytes, from: tag.nameEnd, closing: tag.closing) {
            return true
        }
        i = lt + 1
    }
    return false
}

/// Removes HTML markup unconditionally and decodes character references.
///
/// - Tags are removed; script/style/noscript/template content and comments are dropped.
/// - Block tags become "\n" (line-level: br, div, li, tr…) or "\n\n" (paragraph-level: p, h1-h6, table,
///   ul, ol, blockquote, pre, section…); td/th become a space. `cleanUnicode` later collapses the runs.
/// - Malformed input never crashes and never leaks tag text: an unclosed known tag, comment or script
///   swallows the rest of the text; a tag interrupted by another "<" ends there.
/// - A "<" that does not start a tag ("a < b") stays literal; decoded "&lt;" is never re-parsed as markup.
/// Call it only on text that `containsHTMLTag` accepts (as `sanitize` does).
public func stripHTML(_ text: String) -> String {
    let bytes = Array(text.utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count)
    var scanner = HTMLStripScanner(bytes: bytes)
    scanner.run(into: &out)
    return String(decoding: out, as: UTF8.self)
}

@inline(__always)
private func nextByte(_ byte: UInt8, in bytes: [UInt8], from: Int) -> Int? {
    var i = from
    while i < bytes.count {
        if bytes[i] == byte { return i }
        i += 1
    }
    return nil
}

/// The single left-to-right pass behind `stripHTML`.
struct HTMLStripScanner {
    let bytes: [UInt8]

    struct Tag {
        var name: String
        var closing: Bool
        /// Index just after the tag name.
        var nameEnd: Int
    }

    /// Parses `<name` or `</name` at `at`; the name must be followed by whitespace, "/", ">" or the end.
    static func parseTag(_ bytes: [UInt8], at: Int) -> Tag? {
        var i = at + 1
        let n = bytes.count
        var closing = false
        if i < n && bytes[i] == UInt8(ascii: "/") { closing = true; i += 1 }
        guard i < n, CleanBytes.isAlpha(bytes[i]) else { return nil }
        let start = i
        while i < n && (CleanBytes.isAlnum(bytes[i]) || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ":")) {
            i += 1
        }
        if i < n {
            let b = bytes[i]
            guard CleanBytes.isASCIISpace(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ">") else { return nil }
        }
        var name = ""
        name.unicodeScalars.reserveCapacity(i - start)
        for k in start..<i { name.unicodeScalars.append(Unicode.Scalar(CleanBytes.lower(bytes[k]))) }
        return Tag(name: name, closing: closing, nameEnd: i)
    }

    /// True when `bytes[from...]` is `( attr(=value)?)* /?>`: attribute names [A-Za-z_:@][A-Za-z0-9_:.@-]*,
    /// values quoted or unquoted without spaces/quotes/"<>`". Closing tags allow only spaces before ">".
    static func hasWellFormedAttributes(_ bytes: [UInt8], from: Int, closing: Bool) -> Bool {
        let n = bytes.count
        var i = from
        func skipSpaces() -> Bool {
            let start = i
            while i < n && CleanBytes.isASCIISpace(bytes[i]) { i += 1 }
            return i > start
        }
        while true {
            let spaced = skipSpaces()
            guard i < n else { return false }
            let b = bytes[i]
            if b == UInt8(ascii: ">") { return true }
            if b == UInt8(ascii: "/") && !closing { return i + 1 < n && bytes[i + 1] == UInt8(ascii: ">") }
            guard spaced, !closing, CleanBytes.isAlpha(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                    || b == UInt8(ascii: "@") else { return false }
            while i < n && (CleanBytes.isAlnum(bytes[i]) || bytes[i] == UInt8(ascii: "_") || bytes[i] == UInt8(ascii: ":")
                            || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "@")) {
                i += 1
            }
            _ = skipSpaces()
            guard i < n, bytes[i] == UInt8(ascii: "=") else { continue }
            i += 1
            _ = skipSpaces()
            guard i < n else { return false }
            let q = bytes[i]
            if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                i += 1
                while i < n && bytes[i] != q { i += 1 }
                guard i < n else { return false }
                i += 1
            } else {
                let start = i
                while i < n && !CleanBytes.isASCIISpace(bytes[i]) && bytes[i] != UInt8(ascii: ">")
                        && bytes[i] != UInt8(ascii: "<") && bytes[i] != UInt8(ascii: "\"") && bytes[i] != UInt8(ascii: "'") {
                    i += 1
                }
                guard i > start else { return false }
            }
        }
    }

    /// End of the tag whose name ends at `from`: index after ">" (quotes respected, falling back to the
    /// first ">" when a quote is unbalanced), or the index of an interrupting "<", or nil if none.
    func tagEnd(from: Int) -> (end: Int, closed: Bool)? {
        let n = bytes.count
        var i = from
        var quote: UInt8 = 0
        while i < n {
            let b = bytes[i]
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: ">") {
                return (i + 1, true)
            } else if b == UInt8(ascii: "<") {
                return (i, false)
            }
            i += 1
        }
        // Unbalanced quote: retry without quote handling.
        i = from
        while i < n {
            if bytes[i] == UInt8(ascii: ">") { return (i + 1, true) }
            if bytes[i] == UInt8(ascii: "<") { return (i, false) }
            i += 1
        }
        return nil
    }

    /// Index of the first case-insensitive occurrence of ASCII `needle` (lowercase) at or after `from`.
    func find(_ needle: StaticString, from: Int) -> Int? {
        let first = needle.utf8Start[0]
        var i = from
        while i < bytes.count {
            if CleanBytes.lower(bytes[i]) == first && CleanBytes.matchesLowercase(bytes, at: i, needle) { return i }
            i += 1
        }
        return nil
    }

    /// Index after the closing tag of a drop-content element, or the end of the text.
    func skipContent(of name: String, from: Int) -> Int {
        var i = from
        while let lt = nextByte(UInt8(ascii: "<"), in: bytes, from: i) {
            if let tag = HTMLStripScanner.parseTag(bytes, at: lt), tag.closing, tag.name == name {
                return tagEnd(from: tag.nameEnd)?.end ?? bytes.count
            }
            i = lt + 1
        }
        return bytes.count
    }

    mutating func run(into out: inout [UInt8]) {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "&") {
                if let (scalar, next) = HTMLEntities.decode(bytes, at: i) {
                    CleanBytes.appendUTF8(scalar, to: &out)
                    i = next
                } else {
                    out.append(b)
                    i += 1
                }
                continue
            }
            guard b == UInt8(ascii: "<") else {
                out.append(b)
                i += 1
                continue
            }
            i = handleMarkup(at: i, into: &out)
        }
    }

    /// Handles the "<" at `at`; returns where scanning continues.
    private func handleMarkup(at: Int, into out: inout [UInt8]) -> Int {
        let n = bytes.count
        if CleanBytes.matchesLowercase(bytes, at: at + 1, "!--") {
            guard let close = find("-->", from: at + 4) else { return n }
            return close + 3
        }
        if CleanBytes.matchesLowercase(bytes, at: at + 1, "![cdata[") {
            let start = at + 9
            let close = find("]]>", from: start) ?? n
            out.append(contentsOf: bytes[start..<close])
            return min(close + 3, n)
        }
        if at + 1 < n && (bytes[at + 1] == UInt8(ascii: "!") || bytes[at + 1] == UInt8(ascii: "?")) {
            // Doctype, processing instruction, bogus comment.
            guard let close = nextByte(UInt8(ascii: ">"), in: bytes, from: at + 2) else { return n }
            return close + 1
        }
        guard let tag = HTMLStripScanner.parseTag(bytes, at: at) else {
            out.append(UInt8(ascii: "<"))
            return at + 1
        }
        let known = HTMLTags.known.contains(tag.name)
        guard let (end, closed) = tagEnd(from: tag.nameEnd) else {
            // Unterminated tag at the end of the text: drop it if it is a real element.
            if known { return n }
            out.append(UInt8(ascii: "<"))
            return at + 1
        }
        if !closed && !known {
            out.append(UInt8(ascii: "<"))
            return at + 1
        }
        // Breaks do not stack ("</li><li>" is one line break), except <br>, which always adds one.
        if HTMLTags.paragraphBreak.contains(tag.name) {
            while !out.isEmpty && !(out.count >= 2 && out[out.count - 1] == 0x0A && out[out.count - 2] == 0x0A) {
                if out[out.count - 1] == 0x0A { out.append(0x0A); break }
                out.append(0x0A)
            }
        } else if tag.name == "br" {
            out.append(0x0A)
        } else if HTMLTags.lineBreak.contains(tag.name) {
            if !out.isEmpty && out[out.count - 1] != 0x0A { out.append(0x0A) }
        } else if HTMLTags.cellBreak.contains(tag.name) {
            if !out.isEmpty && out[out.count - 1] != 0x20 && out[out.count - 1] != 0x0A { out.append(0x20) }
        }
        if !tag.closing && HTMLTags.dropContent.contains(tag.name) {
            let selfClosing = closed && end >= 2 && bytes[end - 2] == UInt8(ascii: "/")
            if !selfClosing { return skipContent(of: tag.name, from: end) }
        }
        return end
    }
}
