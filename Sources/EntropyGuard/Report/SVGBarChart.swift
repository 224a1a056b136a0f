import Foundation

/// A vertical bar chart as inline SVG: one bar per bin, stacked in up to two series (bottom first),
/// an optional dashed marker at a bin boundary (the threshold, the length cut). Bars that would be
/// invisible next to a tall one get at least 1 px, so a small bin still shows. The SVG has a title and a
/// description; the numbers are in the table that goes with it.
struct SVGBarChart {
    struct Series {
        var name: String
        var colour: String
    }

    var title: String
    var labels: [String]
    /// values[bin][series].
    var values: [[Int]]
    var series: [Series]
    /// The marker sits on the left edge of this bin (labels.count: on the right edge of the last).
    var markerBin: Int?
    var markerLabel: String = ""
    var logScale = false

    func svg(width: Int = 960, height: Int = 260) -> String {
        let left = 56, right = 12, top = 26, bottom = 40
        let plotWidth = Double(width - left - right), plotHeight = Double(height - top - bottom)
        let totals = values.map { $0.reduce(0, +) }
        let maximum = max(1, totals.max() ?? 1)
        func scaled(_ v: Int) -> Double {
            guard v > 0 else { return 0 }
            let fraction = logScale ? log10(Double(v) + 1) / log10(Double(maximum) + 1) : Double(v) / Double(maximum)
            return max(1, fraction * plotHeight)
        }
        let slot = plotWidth / Double(max(1, labels.count))
        let bar = max(1, slot * 0.78)
        // No xmlns: inline SVG in HTML needs none, and the page holds no http(s) string at all.
        var out = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\">"
        out += "<title>\(HTML.escape(title))</title>"
        // Axis and a few gridlines with their values.
        let ticks = logScale ? [0, maximum].filter { $0 > 0 } : [maximum / 2, maximum].filter { $0 > 0 }
        for tick in ticks {
            let y = Double(top) + plotHeight - scaled(tick)
            out += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(width - right)\" y2=\"\(f(y))\" stroke=\"#e0e0e0\"/>"
            out += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(HTML.count(tick))</text>"
        }
        out += "<line x1=\"\(left)\" y1=\"\(top + Int(plotHeight))\" x2=\"\(width - right)\" y2=\"\(top + Int(plotHeight))\" stroke=\"#555\"/>"
        let labelEvery = max(1, Int((Double(labels.count) * 44 / plotWidth).rounded(.up)))
        for (bin, label) in labels.enumerated() {
            let x = Double(left) + Double(bin) * slot + (slot - bar) / 2
            let baseline = Double(top) + plotHeight
            var stacked = 0.0
            var cumulative = 0
            for (index, value) in values[bin].enumerated() where value > 0 {
                cumulative += value
                let height = max(stacked + 1, scaled(cumulative))
                out += "<rect x=\"\(f(x))\" y=\"\(f(baseline - height))\" width=\"\(f(bar))\" height=\"\(f(height - stacked))\" fill=\"\(series[index].colour)\"/>"
                stacked = height
            }
            if bin % labelEvery == 0 {
                out += "<text x=\"\(f(x + bar / 2))\" y=\"\(top + Int(plotHeight) + 16)\" text-anchor=\"middle\">\(HTML.escape(label))</text>"
            }
        }
        if let markerBin {
            let x = Double(left) + Double(markerBin) * slot
            out += "<line x1=\"\(f(x))\" y1=\"\(top - 8)\" x2=\"\(f(x))\" y2=\"\(top + Int(plotHeight))\" stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
            out += "<text x=\"\(f(x + 4))\" y=\"\(top - 12)\" font-weight=\"bold\">\(HTML.escape(markerLabel))</text>"
        }
        return out + "</svg>"
    }

    /// The legend, as HTML under the chart.
    var legend: String {
        "<p class=\"legend\">" + series.map { "<span><i style=\"background:\($0.colour)\"></i>\(HTML.escape($0.name))</span>" }.joined() + "</p>"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
