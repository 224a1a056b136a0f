/// The report's biggest duplicate groups: the rows that absorbed the most duplicates (any dedup stage),
/// how many, and the first two of them beside the row they duplicate.
struct DuplicateGroupsSection {
    static let groups = 10
    static let examples = 2
    static let excerptCharacters = 240

    let html: String

    init(store: WorkingStore) throws {
        let groups = try store.biggestDuplicateGroups(limit: Self.groups, examples: Self.examples)
        guard !groups.isEmpty else {
            html = "<p>No row was dropped as a duplicate.</p>"
            return
        }
        var html = """
            <p class="note">The \(groups.count) rows that the most rows were dropped as duplicates of, with the first \(Self.examples) \
            of those rows (differences marked as above). A row absorbs rows of any dedup stage.</p>
            <table class="pairs"><thead><tr><th class="s">Row</th><th class="n">Absorbed</th><th>Its text</th><th>Duplicates (first \(Self.examples))</th></tr></thead><tbody>
            """
        for group in groups {
            var examples = ""
            for absorbed in group.absorbed {
                let (_, later) = try HTML.sideBySide(store: store, earlier: group.row, later: absorbed.row, limit: Self.excerptCharacters)
                examples += "<p><span class=\"note\">row \(absorbed.row), \(HTML.escape(absorbed.reason))</span><br>\(later)</p>"
            }
            let text = ReferenceRow.isReference(group.row) ? HTML.referenceRowNote
                : HTML.escape(HTML.excerpt(PIIRedaction.redact(try store.text(ofRow: group.row)), limit: Self.excerptCharacters))
            html += "<tr><td class=\"s\">\(ReferenceRow.label(group.row))</td>\(HTML.countCell(group.count, fact: "group.\(group.row)"))"
            html += "<td class=\"t\">\(text)</td><td class=\"t\">\(examples)</td></tr>"
        }
        self.html = html + "</tbody></table>"
    }
}
