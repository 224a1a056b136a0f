import Foundation

/// `entropyguard explain`: one row's way through the stages, read from the store: each stage's
/// verdict, the text before and after the stage that rewrites texts (a word diff, PII shown as its
/// kind, see `PIIRedaction`), its chunk parent or children, why it was dropped (with the row it
/// duplicates, both texts and the similarity), and the rows dropped as duplicates of it. Everything
/// comes from the registry's stages and the store's drop fields, so a new stage or reason needs
/// nothing here.
public struct RowJourney {
    /// What a stage did with the row.
    public enum Verdict: String {
        /// Survived it (`changed`: and it rewrote the text; `created`: the stage made this row, a chunk).
        case kept, changed, created, dropped
        /// The row did not exist yet (a chunk, before the chunk stage), or was gone already.
        case notCreated = "not_created", alreadyDropped = "already_dropped"
        /// The store has not run this stage yet (an unfinished run).
        case notRun = "not_run"
    }

    public struct StageStep {
        public let stage: String
        public let verdict: Verdict
    }

    /// How many rows dropped as duplicates of this one are listed.
    public static let duplicatesListed = 10

    let row: WorkingStore.StoredRow
    let steps: [StageStep]
    /// The chunks cut from this row.
    let children: [Int64]
    /// The row this one duplicates.
    let original: WorkingStore.StoredRow?
    let duplicates: (count: Int, first: [(row: Int64, drop: DropInfo)])
    /// The stage that rewrites texts (sanitize), if the registry has one.
    let rewriter: String?

    /// The journey of row `id`; nil when the store has no such row.
    static func load(row id: Int64, from store: WorkingStore) throws -> RowJourney? {
        guard let row = try store.storedRow(id) else { return nil }
        let stages = store.stages
        let steps = stages.ids.map { stage -> StageStep in
            let g = stage.generation
            let verdict: Verdict
            if row.born > g { verdict = .notCreated }
            else if let by = row.droppedBy, by < g { verdict = .alreadyDropped }
            else if row.droppedBy == g { verdict = .dropped }
            else if row.generation < g { verdict = .notRun }
            else if row.born == g && g != stages.source.generation { verdict = .created }
            else if stage == stages.textRewriter && row.changedText != nil && row.parentRow == nil { verdict = .changed }
            else { verdict = .kept }
            return StageStep(stage: stage.name, verdict: verdict)
        }
        return RowJourney(row: row, steps: steps, children: try store.chunkRows(ofParent: id),
                          original: try row.drop?.duplicateOf.flatMap { try originalRow($0, store: store) },
                          duplicates: try store.duplicates(of: id, limit: Self.duplicatesListed), rewriter: stages.textRewriter?.name)
    }

    private static func shown(_ text: String?) -> String? { text.map(PIIRedaction.redact) }

    /// The row `id` duplicates: the store's own, or a reference row (`--reference`) read from the
    /// reference's store, recorded in meta `reference.store` (nil when that store is gone).
    private static func originalRow(_ id: Int64, store: WorkingStore) throws -> WorkingStore.StoredRow? {
        guard let referenceRow = ReferenceRow.referenceRow(of: id) else { return try store.storedRow(id) }
        guard let recorded = try store.meta("reference.store") else { return nil }
        let directory = recorded.hasPrefix("/") ? recorded : (store.directory as NSString).appendingPathComponent(recorded)
        guard WorkingStore.exists(in: directory) else { return nil }
        return try WorkingStore(directory: directory).storedRow(referenceRow)
    }

    /// A duplicate_of as shown: the row number, or "ref:<row>" for a reference row.
    private static func shownID(_ id: Int64) -> Any { ReferenceRow.referenceRow(of: id) == nil ? id : ReferenceRow.label(id) }

    /// The text before and after rewriting, redacted, and their word diff (nil: the row has no text of
    /// its own as read, e.g. a chunk).
    private var textChange: (before: String, after: String, diff: String)? {
        guard row.parentRow == nil, let before = Self.shown(row.originalText) else { return nil }
        let after = Self.shown(row.currentText) ?? before
        return (before, after, WordDiff.render(WordDiff.pieces(from: before, to: after)))
    }

    /// The journey as text, for people.
    public var text: String {
        var lines: [String] = []
        let status = row.drop.map { "dropped by \($0.stage) (\($0.reason)\($0.details.map { ": \($0)" } ?? ""))" }
            ?? (steps.contains { $0.verdict == .notRun } ? "alive (the store has not run every stage)" : "kept")
        lines.append("row \(row.rowID) (input line \(row.line)): \(status)")
        if row.textState != "ok" { lines.append("  text: \(row.textState.replacingOccurrences(of: "_", with: " "))") }
        let width = (steps.map(\.stage.count).max() ?? 0) + 2
        lines.append("  stages:")
        for step in steps {
            var verdict: String
            switch step.verdict {
            case .kept: verdict = "kept"
            case .changed: verdict = "kept, text changed"
            case .created: verdict = "created (chunk \(row.chunkIndex ?? 0) of row \(row.parentRow ?? 0))"
            case .dropped: verdict = "dropped: \(row.drop?.reason ?? "")"
            case .notCreated: verdict = "-"
            case .alreadyDropped: verdict = "-"
            case .notRun: verdict = "not run yet"
            }
            lines.append("    " + step.stage.padding(toLength: width, withPad: " ", startingAt: 0) + verdict)
        }
        if let change = textChange {
            if change.before == change.after {
                lines.append("  text (unchanged by \(rewriter ?? "any stage"); PII shown as <kind>):")
                lines.append(indented(change.after))
            } else {
                lines.append("  text before -> after \(rewriter ?? "") (word diff: [-removed-] {+added+}; PII shown as <kind>):")
                lines.append(indented(change.diff))
            }
        } else if let current = Self.shown(row.currentText) {
            lines.append("  text (PII shown as <kind>):")
            lines.append(indented(current))
        }
        if let parent = row.parentRow { lines.append("  chunk \(row.chunkIndex ?? 0) of row \(parent)") }
        if !children.isEmpty { lines.append("  split into \(children.count) chunks: rows \(children.map(String.init).joined(separator: ", "))") }
        if let drop = row.drop, let of = drop.duplicateOf {
            let name = ReferenceRow.referenceRow(of: of).map { "reference row ref:\($0)" } ?? "row \(of)"
            lines.append("  duplicate of \(name)\(drop.roundedSimilarity.map { ", similarity \(format6($0))" } ?? ""):")
            lines.append("    this row: " + (Self.shown(row.currentText) ?? "(no text)"))
            lines.append("    \(name): " + (Self.shown(original?.currentText) ?? "(no text)"))
        }
        if duplicates.count > 0 {
            let listed = duplicates.first.map { "row \($0.row) \($0.drop.reason)\($0.drop.roundedSimilarity.map { " \(format6($0))" } ?? "")" }
            let more = duplicates.count > listed.count ? ", … (first \(listed.count) shown)" : ""
            lines.append("  rows dropped as duplicates of this one (\(duplicates.count)): \(listed.joined(separator: ", "))\(more)")
        } else {
            lines.append("  rows dropped as duplicates of this one (0)")
        }
        return lines.joined(separator: "\n")
    }

    private func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }

    /// The journey as one JSON object (keys sorted), for programs.
    public var json: String {
        func null(_ value: Any?) -> Any { value ?? NSNull() }
        func dropObject(_ drop: DropInfo?) -> Any {
            guard let drop else { return NSNull() }
            return ["stage": drop.stage, "reason": drop.reason, "details": null(drop.details), "duplicate_of": null(drop.duplicateOf.map(Self.shownID)),
                    "similarity": null(drop.roundedSimilarity)] as [String: Any]
        }
        var object: [String: Any] = [
            "row": row.rowID, "line": row.line, "kept": row.drop == nil && !steps.contains { $0.verdict == .notRun },
            "text_state": row.textState,
            "dropped": dropObject(row.drop),
            "stages": steps.map { ["stage": $0.stage, "verdict": $0.verdict.rawValue] },
            "text": null(Self.shown(row.currentText)),
            "chunk": row.parentRow.map { ["parent": $0, "index": row.chunkIndex ?? 0] as [String: Any] } ?? NSNull(),
            "chunks": children,
            "duplicates": ["count": duplicates.count,
                           "first": duplicates.first.map { ["row": $0.row, "stage": $0.drop.stage, "reason": $0.drop.reason,
                                                             "similarity": null($0.drop.roundedSimilarity)] as [String: Any] }] as [String: Any],
        ]
        object["text_change"] = textChange.map { ["stage": null(rewriter), "before": $0.before, "after": $0.after, "diff": $0.diff] as [String: Any] } ?? NSNull()
        if let drop = row.drop, let of = drop.duplicateOf {
            object["duplicate_of"] = ["row": Self.shownID(of), "similarity": null(drop.roundedSimilarity), "text": null(Self.shown(row.currentText)),
                                      "original_text": null(Self.shown(original?.currentText))] as [String: Any]
        } else {
            object["duplicate_of"] = NSNull()
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// `entropyguard explain`: opens the store of a checkpoint dir (never creating or changing one) and
/// explains rows given by row id or by input line.
public struct RowExplainer {
    let store: WorkingStore

    /// Fails with exit 66 when `directory` has no store, 74 when it is damaged.
    public init(checkpointDir directory: String) throws {
        store = try WorkingStore.openForReading(directory: directory)
    }

    /// Row `id`'s journey; an unknown row is a usage error (exit 64).
    public func journey(row id: Int64) throws -> RowJourney {
        guard let journey = try RowJourney.load(row: id, from: store) else {
            let count = try store.nextRowID()
            throw EntropyGuardError(.usage, "no row \(id) in \(store.path) (rows are 0 to \(count - 1))")
        }
        return journey
    }

    /// The journey of the record starting at input line `line`; no such record is a usage error (exit 64).
    public func journey(line: Int) throws -> RowJourney {
        guard let id = try store.rowIDs(atLine: line).first else {
            let range = try store.lineRange().map { "records start at lines \($0.lowerBound) to \($0.upperBound)" } ?? "the store has no rows"
            throw EntropyGuardError(.usage, "no record starts at line \(line) of the input of \(store.path) (\(range))")
        }
        return try journey(row: id)
    }
}
