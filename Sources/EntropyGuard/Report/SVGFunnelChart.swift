import Foundation

/// The funnel as inline SVG: one horizontal bar per step (rows in, then rows after each stage), the
/// rows kept in blue and, on the same line, the rows the step dropped in hatched vermillion, so the
/// two differ by more than colour.
struct SVGFunnelChart {
    struct Step {
        var name: String
        var rows: Int
        var dropped: Int
    }

    var title: String
    var steps: [Step]

    func svg(width: Int = 960) -> String {
        let labelWidth = 150, numberWidth = 190, rowHeight = 26
        let height = steps.count * rowHeight + 8
        let plotWidth = Double(width - labelWidth - numberWidth)
        let maximum = Double(max(1, steps.map { $0.rows + $0.dropped }.max() ?? 1))
        var out = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\"><title>\(HTML.escape(title))</title>"
        out += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        out += "<rect width=\"6\" height=\"6\" fill=\"\(ReportStyle.vermillion)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#fff\" stroke-width=\"2\"/></pattern></defs>"
        for (index, step) in steps.enumerated() {
            let y = 4 + index * rowHeight
            let kept = step.rows == 0 ? 0 : max(1, Double(step.rows) / maximum * plotWidth)
            let dropped = step.dropped == 0 ? 0 : max(1, Double(step.dropped) / maximum * plotWidth)
            out += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(HTML.escape(step.name))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(f(kept))\" height=\"18\" fill=\"\(ReportStyle.blue)\"/>"
            if dropped > 0 {
                out += "<rect x=\"\(f(Double(labelWidth) + kept))\" y=\"\(y + 3)\" width=\"\(f(dropped))\" height=\"18\" fill=\"url(#hatch)\"/>"
            }
            let note = HTML.count(step.rows) + (step.dropped > 0 ? "  (−\(HTML.count(step.dropped)))" : "")
            out += "<text x=\"\(f(Double(labelWidth) + kept + dropped + 6))\" y=\"\(y + 16)\">\(note)</text>"
        }
        return out + "</svg>"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
