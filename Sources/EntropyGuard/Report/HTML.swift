import Foundation

/// Building blocks of the report's HTML: escaping, numbers, and the excerpts of texts. Everything the
/// page shows from the data goes through `escape`, so a text holding markup shows as text.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab/newline are not allowed in HTML text.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}"..."\u{9F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// 1234567 -> "1,234,567": the page is read by people; tests read the `data-value` attributes.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A table cell with a count: shown grouped, exact in `data-value`, named by `fact` for tests.
    static func countCell(_ value: Int, fact: String? = nil) -> String {
        let name = fact.map { " data-fact=\"\(escape($0))\"" } ?? ""
        return "<td class=\"n\"\(name) data-value=\"\(value)\">\(count(value))</td>"
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "–" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }

    /// The first `limit` characters of `text`, with "…" when cut.
    static func excerpt(_ text: String, limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// Two texts side by side with the words that differ marked (`WordDiff`): the earlier one's removed
    /// words in `<del>`, the later one's added words in `<ins>`. PII is masked in both first
    /// (`PIIRedaction`), and each side stops after about `limit` characters.
    /// What stands for the text of a reference corpus's row (`--reference`): it is in the reference's
    /// store, which the report does not open.
    static let referenceRowNote = "<span class=\"note\">(a row of the reference corpus: <code>entropyguard explain</code> on the reference's store shows it)</span>"

    /// Rows `earlier` and `later` of `store` side by side as below; an earlier row of a reference corpus
    /// is named instead (`referenceRowNote`) and the later text shown without marks.
    static func sideBySide(store: WorkingStore, earlier: Int64, later: Int64, limit: Int) throws -> (earlier: String, later: String) {
        let laterText = try store.text(ofRow: later)
        guard !ReferenceRow.isReference(earlier) else {
            return (referenceRowNote, escape(excerpt(PIIRedaction.redact(laterText), limit: limit)))
        }
        return sideBySide(earlier: try store.text(ofRow: earlier), later: laterText, limit: limit)
    }

    static func sideBySide(earlier: String, later: String, limit: Int) -> (earlier: String, later: String) {
        // Bounded inputs: the diff is O((n + m) d) and only the start is shown anyway.
        let old = excerpt(PIIRedaction.redact(earlier), limit: limit * 3)
        let new = excerpt(PIIRedaction.redact(later), limit: limit * 3)
        var left = "", right = ""
        var leftCount = 0, rightCount = 0
        for piece in WordDiff.pieces(from: old, to: new) {
            switch piece {
            case .same(let words):
                if leftCount < limit { left += escape(words) + " "; leftCount += words.count + 1 }
                if rightCount < limit { right += escape(words) + " "; rightCount += words.count + 1 }
            case .removed(let words):
                if leftCount < limit { left += "<del>\(escape(words))</del> "; leftCount += words.count + 1 }
            case .added(let words):
                if rightCount < limit { right += "<ins>\(escape(words))</ins> "; rightCount += words.count + 1 }
            }
        }
        if leftCount >= limit { left += "…" }
        if rightCount >= limit { right += "…" }
        return (left, right)
    }
}
