/// The report's validate section: the text lengths of the rows that reached validate, in bins on a
/// 1-2-5 scale with the --min-length cut as a bin edge, the cut marked.
struct LengthSection {
    let html: String

    init(store: WorkingStore, stage: StageID, minLength: Int) throws {
        var edges = Set([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000])
        edges.insert(minLength)
        let sorted = edges.sorted()
        let bins = try store.lengthBins(enteringGeneration: stage.generation, edges: sorted)
        // Up to the last non-empty bin.
        let lastUsed = max(sorted.firstIndex(of: minLength) ?? 0, bins.keys.filter { $0 >= 0 }.max() ?? 0)
        let shown = Array(0...lastUsed)
        func label(_ i: Int) -> String {
            i + 1 < sorted.count ? (sorted[i + 1] - sorted[i] == 1 ? "\(sorted[i])" : "\(sorted[i])–\(sorted[i + 1] - 1)") : "\(sorted[i])+"
        }
        let cut = sorted.firstIndex(of: minLength) ?? 0
        let chart = SVGBarChart(
            title: "Text length in characters of the rows that reached validate; the dashed line is --min-length \(minLength)",
            labels: shown.map(label), values: shown.map { [bins[$0] ?? 0] },
            series: [.init(name: "rows", colour: ReportStyle.skyBlue)], markerBin: cut, markerLabel: "min length \(minLength)")
        var html = """
            <p>Length (characters of the trimmed text) of the rows that reached validate. Rows shorter than \
            <b data-fact="min_length" data-value="\(minLength)">\(minLength)</b>, left of the dashed line, were dropped; \
            \(HTML.count(bins[-1] ?? 0)) rows had no text.</p>
            """
        html += chart.svg(height: 230)
        html += "<details><summary>The distribution as a table</summary><table><thead><tr><th>Characters</th><th class=\"n\">Rows</th></tr></thead><tbody>"
        html += "<tr><td>no text</td>\(HTML.countCell(bins[-1] ?? 0, fact: "length.none"))</tr>"
        for i in shown {
            html += "<tr\(i < cut ? " class=\"now\"" : "")><td>\(label(i))\(i < cut ? " (dropped)" : "")</td>\(HTML.countCell(bins[i] ?? 0, fact: "length.\(sorted[i])"))</tr>"
        }
        self.html = html + "</tbody></table></details>"
    }
}
