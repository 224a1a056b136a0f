/// Turns one value of a top-level column into level entries of its leaf columns (Dremel's column
/// striping; `RecordAssembler` undoes it). Walking the column's `ShredNode` tree with the repetition
/// level `r` of the entry to come and the definition level `d` reached so far:
/// - a null (optional node) or an empty list gives every leaf below one entry (r, d) without a value;
/// - a present optional node adds one to `d`; a group hands each field on with the same r and d;
/// - a list's (map's) elements go one level deeper in `d`, the first with `r`, the next ones with
///   the list's own repetition level;
/// - a leaf stores the value (its definition level is then the leaf's maximum).
/// With `dryRun`, nothing is stored and the walk only checks that the value fits.
enum ValueShredder {
    static func shred(_ value: ParquetFieldValue, _ node: ShredNode, repetition r: Int, definition d: Int,
                      into writers: inout [ColumnChunkWriter], dryRun: Bool) throws {
        if case .null = value {
            guard node.optional else { throw mismatch(value, node, writers, "a null in a required field") }
            if !dryRun { for leaf in node.leaves { writers[leaf].appendLevels(repetition: r, definition: d) } }
            return
        }
        let d = d + (node.optional ? 1 : 0)
        switch node.kind {
        case .leaf(let index):
            if dryRun {
                guard writers[index].fits(value) else { throw mismatch(value, node, writers, "does not fit") }
            } else {
                writers[index].setRepetition(r)
                try writers[index].appendField(value)
            }
        case .group(let children):
            guard case .record(let fields) = value, fields.count == children.count else {
                throw mismatch(value, node, writers, "a group needs a record of \(children.count) fields")
            }
            for (child, field) in zip(children, fields) {
                try shred(field.value, child, repetition: r, definition: d, into: &writers, dryRun: dryRun)
            }
        case .repeated(let children, let level, let isMap):
            let count: Int
            switch (value, isMap) {
            case (.list(let items), false): count = items.count
            case (.map(let entries), true): count = entries.count
            default: throw mismatch(value, node, writers, isMap ? "a map column needs a map" : "a list column needs a list")
            }
            if count == 0 {
                if !dryRun { for leaf in node.leaves { writers[leaf].appendLevels(repetition: r, definition: d) } }
                return
            }
            switch value {
            case .list(let items):
                for (k, item) in items.enumerated() {
                    try shred(item, children[0], repetition: k == 0 ? r : level, definition: d + 1, into: &writers, dryRun: dryRun)
                }
            case .map(let entries):
                for (k, entry) in entries.enumerated() {
                    try shred(entry.key, children[0], repetition: k == 0 ? r : level, definition: d + 1, into: &writers, dryRun: dryRun)
                    try shred(entry.value, children[1], repetition: k == 0 ? r : level, definition: d + 1, into: &writers, dryRun: dryRun)
                }
            default:
                break
            }
        }
    }

    private static func mismatch(_ value: ParquetFieldValue, _ node: ShredNode, _ writers: [ColumnChunkWriter], _ problem: String) -> ParquetError {
        let name = writers[node.leaves.lowerBound].leaf.name
        return ParquetError.invalidArgument("value \(value) for column \(name): \(problem)")
    }
}
