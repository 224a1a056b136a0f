/// The report's sanitize section: rows changed, rows with HTML, masks per PII kind, and a few rows
/// before and after (PII shown as its kind in both: the report never shows what sanitize removed).
struct SanitizeSection {
    static let examples = 5
    static let excerptCharacters = 400

    let html: String

    init(store: WorkingStore, settings: String) throws {
        let kinds = PIIKind.allCases
        let counts = try store.sanitizeCounts(maskTokens: kinds.map(\.token))
        let masked = Set((RunReport.setting("pii", in: settings) ?? "").split(separator: ",").map(String.init))
        let htmlOn = RunReport.setting("html", in: settings) == "true"
        var html = """
            <p>Input rows whose text sanitize changed: <b data-fact="sanitize.changed" data-value="\(counts.changed)">\(HTML.count(counts.changed))</b> \
            (HTML, Unicode and whitespace cleaning, PII masking).</p>
            <table><thead><tr><th>What</th><th class="n">Count</th><th>Setting</th></tr></thead><tbody>
            <tr><td>Rows with HTML stripped</td>\(HTML.countCell(htmlOn ? counts.html : 0, fact: "sanitize.html"))<td>\(htmlOn ? "on" : "off")</td></tr>
            """
        for (kind, count) in zip(kinds, counts.masks) {
            html += "<tr><td>\(HTML.escape(kind.rawValue)) masked as <code>\(HTML.escape(kind.token))</code></td>"
            html += HTML.countCell(count, fact: "sanitize.pii.\(kind.rawValue)") + "<td>\(masked.contains(kind.rawValue) ? "on" : "off")</td></tr>"
        }
        html += "</tbody></table>"
        let examples = try store.sanitizeExamples(maskTokens: kinds.map(\.token), limit: Self.examples)
        if !examples.isEmpty {
            html += "<h3>Before and after</h3><p class=\"note\">Up to \(Self.examples) changed rows, those with masked PII first. "
            html += "Removed words are <del>struck</del>, added ones <ins>underlined</ins>; PII still in a text is shown as its kind (&lt;email&gt;).</p>"
            html += "<table class=\"pairs\"><thead><tr><th class=\"s\">Row</th><th>Before</th><th>After</th></tr></thead><tbody>"
            for example in examples {
                let (before, after) = HTML.sideBySide(earlier: example.before, later: example.after, limit: Self.excerptCharacters)
                html += "<tr><td class=\"s\">\(example.row)</td><td class=\"t\">\(before)</td><td class=\"t\">\(after)</td></tr>"
            }
            html += "</tbody></table>"
        }
        self.html = html
    }
}
