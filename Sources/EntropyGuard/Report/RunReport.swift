import Foundation
import Parquet

/// `entropyguard report`: one self-contained HTML page about a checkpoint dir's store — what each
/// stage removed and why, how long it took, where the dedup thresholds fall among the scores, the
/// biggest duplicate groups, what sanitize changed, the length distribution at validate — and the
/// settings and hashes of every checkpoint. Inline CSS and SVG, no script, no URL: it opens offline
/// and can be attached to a ticket. Every number is aggregated by the store (WorkingStore+Report), and
/// only a few example texts are shown, so the page is small whatever the input size.
///
/// Numbers that tests compare with the store carry `data-fact` and `data-value` attributes.
public struct RunReport {
    public static let defaultFileName = "report.html"

    let store: WorkingStore
    let directory: String
    /// The checkpoints by stage name (settings included).
    let checkpoints: [String: Checkpoint]

    /// Opens the store of `checkpointDir` to read it (exit 66 without one, 74 when damaged).
    public init(checkpointDir: String) throws {
        store = try WorkingStore.openForReading(directory: checkpointDir)
        directory = checkpointDir
        checkpoints = Dictionary(uniqueKeysWithValues: try store.checkpoints().map { ($0.stage.name, $0) })
    }

    /// Writes the page (atomically) to `path`, or to `report.html` in the checkpoint dir; returns the
    /// path written and its size in bytes.
    @discardableResult
    public func write(to path: String? = nil) throws -> (path: String, bytes: Int) {
        let target = path ?? (directory as NSString).appendingPathComponent(Self.defaultFileName)
        let page = Array(try html().utf8)
        do {
            try AtomicFile.write(page, to: target)
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: target)
        }
        return (target, page.count)
    }

    /// The whole page.
    public func html() throws -> String {
        let stages = store.stages.ids
        let drops = try store.dropCountsByStage()
        // Rows alive after each stage: the checkpoints' counts (StoreConsistency checked them against
        // the rows when the store was opened); a store without all of them is counted, one scan.
        let alive: (Int) -> Int
        let rowsIn: Int
        if stages.allSatisfy({ checkpoints[$0.name] != nil }) {
            let byGeneration = Dictionary(uniqueKeysWithValues: checkpoints.values.map { ($0.generation, $0.rowCount) })
            alive = { byGeneration[$0] ?? 0 }
            rowsIn = alive(stages[0].generation) + drops.filter { $0.generation == stages[0].generation }.reduce(0) { $0 + $1.count }
        } else {
            let counts = try store.rowCountsByGenerationAndBirth()
            alive = { generation in counts.filter { $0.generation >= generation && $0.born <= generation }.reduce(0) { $0 + $1.count } }
            rowsIn = counts.filter { $0.born == 1 }.reduce(0) { $0 + $1.count }
        }
        let rowsOut = alive(stages.last!.generation)
        let runs = try store.runRecords()

        var sections: [(id: String, title: String, body: String)] = []
        sections.append(("summary", "Summary", summary(rowsIn: rowsIn, rowsOut: rowsOut, alive: alive, drops: drops, runs: runs)))
        for name in ["semantic_dedup", "fuzzy_dedup"] {   // --dedup-threshold first: the question asked most
            guard let stage = store.stages[name], let settings = checkpoints[name]?.settings, settings != "off",
                  let threshold = Self.setting("threshold", in: settings).flatMap(Double.init) else { continue }
            let section = try ThresholdSection(store: store, stage: stage, threshold: threshold, float32Scores: name == "semantic_dedup")
            sections.append((name, "Choosing the \(name) threshold", section.html))
        }
        sections.append(("groups", "Biggest duplicate groups", try DuplicateGroupsSection(store: store).html))
        if let settings = checkpoints["sanitize"]?.settings, settings != "off" {
            sections.append(("sanitize", "Sanitize", try SanitizeSection(store: store, settings: settings).html))
        }
        if let stage = store.stages["validate"], let settings = checkpoints["validate"]?.settings, settings != "off",
           let minLength = Self.setting("min_length", in: settings).flatMap(Int.init) {
            sections.append(("validate", "Validate: text lengths", try LengthSection(store: store, stage: stage, minLength: minLength).html))
        }
        let input = try store.meta("input_path") ?? runs.first?.inputPath ?? "unknown"
        let storedHash = try store.meta("ingest.input_hash")
        let inputHash = checkpoints[stages[0].name]?.inputHash ?? storedHash ?? "unknown"
        sections.append(("checkpoints", "Checkpoints", checkpointTable(inputHash: inputHash)))
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>EntropyGuard report: \(HTML.escape((input as NSString).lastPathComponent))</title>
            <style>\(ReportStyle.css)</style></head>
            <body><main>
            <header><h1><span>EntropyGuard</span> report</h1>
            <p class="meta">Input <code data-fact="input.path">\(HTML.escape(input))</code>, XXH3-128 <code class="hash" data-fact="input.hash">\(HTML.escape(inputHash))</code></p>
            <p class="meta">Store <code>\(HTML.escape(store.path))</code>; EntropyGuard \(EntropyGuardVersion.string); report made \(Pipeline.timestamp())</p>
            <nav>\(sections.map { "<a href=\"#\($0.id)\">\(HTML.escape($0.title))</a>" }.joined())</nav></header>

            """
        for section in sections {
            page += "<section id=\"\(section.id)\"><h2>\(HTML.escape(section.title))</h2>\n\(section.body)\n</section>\n"
        }
        return page + "</main></body></html>\n"
    }

    /// The value of `key` in a stage's settings text (`key=value;...`).
    static func setting(_ key: String, in settings: String) -> String? {
        settings.split(separator: ";").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    // MARK: summary

    private func summary(rowsIn: Int, rowsOut: Int, alive: (Int) -> Int, drops: [(generation: Int, reason: String, count: Int)],
                         runs: [WorkingStore.RunRecord]) -> String {
        let stages = store.stages.ids
        var html = """
            <div class="cards">
            <div class="card"><b data-fact="rows.in" data-value="\(rowsIn)">\(HTML.count(rowsIn))</b><span>rows in</span></div>
            <div class="card"><b data-fact="rows.out" data-value="\(rowsOut)">\(HTML.count(rowsOut))</b><span>rows out (after \(stages.last!.name))</span></div>
            <div class="card drop"><b>\(HTML.count(rowsIn - rowsOut))</b><span>fewer rows (\(HTML.percent(rowsIn - rowsOut, of: rowsIn)) of the input)</span></div>
            </div>
            """
        let dropsByStage = Dictionary(grouping: drops, by: \.generation)
        var steps = [SVGFunnelChart.Step(name: "input", rows: rowsIn, dropped: 0)]
        func isOff(_ stage: StageID) -> Bool { checkpoints[stage.name]?.settings == "off" }
        for stage in stages {
            steps.append(.init(name: stage.name + (isOff(stage) ? " (off)" : ""), rows: alive(stage.generation),
                               dropped: dropsByStage[stage.generation, default: []].reduce(0) { $0 + $1.count }))
        }
        html += "<h3>Rows after each stage</h3>"
        html += SVGFunnelChart(title: "Rows after each stage: bars for the rows kept, hatched for the rows each stage dropped", steps: steps).svg()
        html += "<p class=\"legend\"><span><i style=\"background:\(ReportStyle.blue)\"></i>rows after the stage</span>"
        html += "<span><i style=\"background:\(ReportStyle.vermillion)\"></i>rows the stage dropped (hatched)</span></p>"

        // The funnel's numbers, the time of the latest run of each stage, and the drops per reason.
        let timing = Self.latestTimings(runs)
        html += """
            <table><caption class="note">The funnel as a table. Time: the latest run in which the stage ran.</caption>
            <thead><tr><th>Stage</th><th class="n">Rows in</th><th class="n">Dropped</th><th class="n">%</th><th class="n">Rows after</th>
            <th class="n">Seconds</th><th class="n">Rows/s</th></tr></thead><tbody>
            """
        for (index, stage) in stages.enumerated() {
            let entering = index == 0 ? rowsIn : alive(stages[index - 1].generation)
            let dropped = steps[index + 1].dropped
            let time = timing[stage.name]
            html += "<tr><td>\(stage.name)\(isOff(stage) ? " <span class=\"note\">(off)</span>" : "")</td>\(HTML.countCell(entering))\(HTML.countCell(dropped, fact: "dropped.\(stage.name)"))"
            html += "<td class=\"n\">\(HTML.percent(dropped, of: entering))</td>\(HTML.countCell(steps[index + 1].rows, fact: "alive.\(stage.name)"))"
            html += "<td class=\"n\">\(time.map { String(format: "%.2f", $0.seconds) } ?? "–")</td>"
            html += "<td class=\"n\">\(time?.rowsPerSecond.map { HTML.count(Int($0.rounded())) } ?? "–")</td></tr>"
        }
        html += "</tbody></table>"

        html += "<h3>Drops per stage and reason</h3>"
        if drops.isEmpty {
            html += "<p>No row was dropped.</p>"
        } else {
            html += "<table><thead><tr><th>Stage</th><th>Reason</th><th class=\"n\">Rows</th><th class=\"n\">% of the stage's input</th><th class=\"n\">% of all input</th></tr></thead><tbody>"
            for drop in drops {
                guard let stage = store.stages.id(generation: drop.generation) else { continue }
                let entering = drop.generation == stages[0].generation ? rowsIn : alive(drop.generation - 1)
                html += "<tr><td>\(stage.name)</td><td>\(HTML.escape(drop.reason))</td>\(HTML.countCell(drop.count, fact: "drop.\(stage.name).\(drop.reason)"))"
                html += "<td class=\"n\">\(HTML.percent(drop.count, of: entering))</td><td class=\"n\">\(HTML.percent(drop.count, of: rowsIn))</td></tr>"
            }
            html += "</tbody></table>"
        }
        if let latest = runs.first {
            html += "<p class=\"note\">Latest run: \(HTML.escape(latest.startedAt)), \(HTML.escape(latest.status)): <code>entropyguard \(HTML.escape(latest.arguments))</code></p>"
        }
        return html
    }

    /// Per stage, the seconds and rows/s of the latest run in which it ran (runs newest first).
    static func latestTimings(_ runs: [WorkingStore.RunRecord]) -> [String: (seconds: Double, rowsPerSecond: Double?)] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var timings: [String: (seconds: Double, rowsPerSecond: Double?)] = [:]
        for run in runs {
            guard let json = run.summary, let summary = try? decoder.decode(RunSummary.self, from: Data(json.utf8)) else { continue }
            for stage in summary.stages where stage.status == "ran" && timings[stage.name] == nil {
                if let seconds = stage.seconds { timings[stage.name] = (seconds, stage.rowsPerSecond) }
            }
        }
        return timings
    }

    // MARK: checkpoints

    /// `inputHash`: the input's, shown once in the header; a checkpoint of another input shows its own.
    private func checkpointTable(inputHash: String) -> String {
        var html = """
            <p class="note">A stage's checkpoint is trusted by a later run when the input hash and its chained config hash (its settings
            and every earlier stage's) match. Settings are shown for checkpoints written by this version.</p>
            <table><thead><tr><th class="n">Gen.</th><th>Stage</th><th class="n">Rows after</th><th>Settings</th><th>Config hash</th>
            <th>Input hash</th><th>Made (UTC)</th><th>Snapshot</th></tr></thead><tbody>
            """
        for stage in store.stages.ids {
            guard let checkpoint = checkpoints[stage.name] else {
                html += "<tr><td class=\"n\">\(stage.generation)</td><td>\(stage.name)</td><td colspan=\"6\">no checkpoint</td></tr>"
                continue
            }
            html += "<tr><td class=\"n\">\(stage.generation)</td><td>\(stage.name)</td>\(HTML.countCell(checkpoint.rowCount, fact: "checkpoint.\(stage.name)"))"
            html += "<td><code class=\"hash\">\(HTML.escape(checkpoint.settings ?? "–"))</code></td>"
            html += "<td><code class=\"hash\">\(HTML.escape(checkpoint.configHash))</code></td><td>\(checkpoint.inputHash == inputHash ? "the input's" : "<code class=\"hash\">\(HTML.escape(checkpoint.inputHash))</code>")</td>"
            html += "<td>\(HTML.escape(checkpoint.createdAt))</td>"
            html += "<td>\(checkpoint.snapshotPath.map { "<code>\(HTML.escape($0))</code> <code class=\"hash\">\(HTML.escape(checkpoint.snapshotXXH3 ?? ""))</code>" } ?? "–")</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
