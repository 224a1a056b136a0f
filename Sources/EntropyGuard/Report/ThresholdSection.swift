import Foundation

/// The report's section for choosing a dedup stage's threshold: the histogram of every row's best
/// similarity to an earlier kept row (the drops' scores and the near misses the stage recorded, down to
/// NearMissWindow.width below the threshold), the threshold marked; what a threshold 0.01 or 0.02
/// lower or higher would drop; and for each 0.01 band around the threshold, example pairs side by side.
struct ThresholdSection {
    static let pairsPerBand = 3
    /// Bands of examples on each side of the threshold.
    static let bandsEachSide = 3
    static let excerptCharacters = 360

    let html: String

    /// `float32Scores`: the stage compares float32 cosines with Float(threshold) (semantic), so a
    /// what-if threshold is rounded the same way; fuzzy compares the stored fractions as they are.
    init(store: WorkingStore, stage: StageID, threshold: Double, float32Scores: Bool) throws {
        func bound(_ t: Double) -> Double { float32Scores ? Double(Float(t)) : t }
        let bins = try store.scoreBins(stage: stage)
        let thresholdBin = Int((threshold * 100 + 1e-4).rounded(.down))
        let floorBin = Int(((threshold - NearMissWindow.width) * 100 + 1e-4).rounded(.down))
        let low = min(floorBin, bins.first?.bin ?? floorBin), high = 100
        let byBin = Dictionary(uniqueKeysWithValues: bins.map { ($0.bin, $0) })
        let range = Array(low...high)
        let dropped = bins.reduce(0) { $0 + $1.dropped }
        let nearMisses = bins.reduce(0) { $0 + $1.kept }
        // Every row the stage kept is in the histogram: those below the recorded window as one count.
        let kept = try store.checkpoints().first { $0.stage == stage }?.rowCount ?? nearMisses
        let below = max(0, kept - nearMisses)

        var html = """
            <p>Each row's best similarity to an earlier <em>kept</em> row, in bands of 0.01: rows at or above the threshold \
            (<b data-fact="threshold.\(stage.name)" data-value="\(threshold)">\(threshold)</b>) were dropped. Kept rows are recorded \
            from \(String(format: "%.2f", threshold - NearMissWindow.width)) up; lower scores are not recorded, so the left edge is not \
            the whole distribution. \(HTML.count(dropped)) rows dropped, \(HTML.count(nearMisses)) kept rows within \
            \(String(format: "%.2f", NearMissWindow.width)) of the threshold, and \(HTML.count(below)) kept rows below that (or \
            with no candidate at all), counted in the table's last line.</p>
            """
        let chart = SVGBarChart(
            title: "\(stage.name): rows per similarity band; the dashed line is the threshold \(threshold)",
            labels: range.map { String(format: "%.2f", Double($0) / 100) },
            values: range.map { [byBin[$0]?.kept ?? 0, byBin[$0]?.dropped ?? 0] },
            series: [.init(name: "kept (below the threshold)", colour: ReportStyle.blue),
                     .init(name: "dropped (at or above)", colour: ReportStyle.orange)],
            markerBin: thresholdBin - low, markerLabel: "threshold \(threshold)", logScale: true)
        if dropped + nearMisses == 0 {
            html += "<p class=\"note\">No row came within \(NearMissWindow.width) of the threshold: nothing to draw.</p>"
        } else {
            html += chart.svg() + chart.legend
            html += "<p class=\"note\">Bar heights are on a log scale so that small bands show; the table has the counts.</p>"
        }
        html += "<details><summary>The histogram as a table</summary><table><thead><tr><th>Similarity band</th><th class=\"n\">Kept</th><th class=\"n\">Dropped</th></tr></thead><tbody>"
        for bin in range {
            let row = byBin[bin]
            html += "<tr\(bin == thresholdBin ? " class=\"now\"" : "")><td>\(String(format: "%.2f–%.2f", Double(bin) / 100, Double(bin + 1) / 100))</td>"
            html += HTML.countCell(row?.kept ?? 0, fact: "scores.\(stage.name).\(bin).kept")
            html += HTML.countCell(row?.dropped ?? 0, fact: "scores.\(stage.name).\(bin).dropped") + "</tr>"
        }
        html += "<tr><td>below \(String(format: "%.2f", Double(low) / 100)) (or no candidate)</td>"
        html += HTML.countCell(below, fact: "below.\(stage.name)") + "<td class=\"n\">0</td></tr>"
        html += "</tbody></table></details>"

        // What-ifs, from the stored scores.
        html += """
            <h3>Other thresholds</h3>
            <p class="note">Counted from the stored scores without rerunning: an estimate. A row counts when its best score reaches the \
            threshold; a real run could keep or drop a few others, since only kept rows absorb later rows (no chaining), so a \
            different threshold changes which rows are kept and therefore what later rows are compared with.</p>
            <table><thead><tr><th class="n">Threshold</th><th class="n">Rows dropped</th><th class="n">Change</th></tr></thead><tbody>
            """
        let steps = [-2, -1, 0, 1, 2]
        let values = steps.map { $0 == 0 ? threshold : (threshold * 100 + Double($0)).rounded() / 100 }
        let counts = try store.scoreCounts(stage: stage, atLeast: values.map(bound))
        let current = counts[steps.firstIndex(of: 0)!]
        for (index, step) in steps.enumerated() {
            let value = values[index], count = counts[index]
            let change = count - current
            html += "<tr\(step == 0 ? " class=\"now\"" : "")><td class=\"n\">\(value)\(step == 0 ? " (this run)" : "")</td>"
            html += HTML.countCell(count, fact: "whatif.\(stage.name).\(step)")
            html += "<td class=\"n\">\(step == 0 ? "–" : (change > 0 ? "+" : "") + HTML.count(change))</td></tr>"
        }
        html += "</tbody></table>"

        // Example pairs per band around the threshold.
        let first = max(low, thresholdBin - Self.bandsEachSide), last = min(high, thresholdBin + Self.bandsEachSide - 1)
        if first <= last {
            let pairs = try store.scoredPairs(stage: stage, bins: first...last, perBin: Self.pairsPerBand)
            html += "<h3>Example pairs around the threshold</h3>"
            html += "<p class=\"note\">The first \(Self.pairsPerBand) rows (by row id) of each band, beside the earlier kept row they are most similar to. "
            html += "Words only in the earlier row are <del>struck</del>, words only in the later row <ins>underlined</ins>; PII is shown as its kind.</p>"
            html += "<table class=\"pairs\"><thead><tr><th class=\"s\">Score</th><th>Earlier kept row</th><th>Row</th></tr></thead><tbody>"
            for bin in (first...last).reversed() {
                let inBand = pairs.filter { $0.bin == bin }
                html += "<tr><th colspan=\"3\">\(String(format: "%.2f–%.2f", Double(bin) / 100, Double(bin + 1) / 100))"
                html += bin >= thresholdBin ? " (at or above the threshold)" : " (below)"
                html += inBand.isEmpty ? ": no rows</th></tr>" : "</th></tr>"
                for pair in inBand {
                    let (earlier, later) = try HTML.sideBySide(store: store, earlier: pair.other, later: pair.row, limit: Self.excerptCharacters)
                    html += "<tr><td class=\"s\">\(String(format: "%.4f", pair.similarity))<br>\(pair.dropped ? "dropped" : "kept")</td>"
                    html += "<td class=\"t\"><span class=\"note\">row \(ReferenceRow.label(pair.other))</span><br>\(earlier)</td><td class=\"t\"><span class=\"note\">row \(pair.row)</span><br>\(later)</td></tr>"
                }
            }
            html += "</tbody></table>"
        }
        self.html = html
    }
}
