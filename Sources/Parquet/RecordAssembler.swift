/// Rebuilds the values of one top-level field, row by row, from its leaf columns' levels and values
/// (the "record assembly" half of Dremel, Melnik et al. 2010, which Parquet's levels come from).
///
/// Each leaf column is a stream of (repetition level, definition level, value) entries; a row starts
/// at repetition level 0. For each entry the path from the top-level field down to the leaf is walked:
/// an optional field whose definition level the entry does not reach is null there; a repeated field
/// it does not reach is an empty list; otherwise the repetition level says which list gets a new
/// element (equal to that list's level), which ones continue their last element (deeper lists) and
/// which start afresh (shallower). Leaves sharing a list line up element by element, so each leaf
/// keeps its own element counters and the entries of the second leaf land in the elements the first
/// one created. The tree is then read out with the LIST and MAP annotations applied, including the
/// legacy two-level lists of LogicalTypes.md's backward-compatibility rules.
///
/// Flat columns never come here (`ParquetRowGroup` reads them directly); this path allocates a small
/// tree per row and is meant for the nested fields.
final class RecordAssembler {
    /// A schema node with its cumulative levels.
    final class Plan {
        let name: String
        let repetition: ParquetRepetition
        let logicalType: ParquetLogicalType?
        /// Definition level at which this node is present (counting itself when optional/repeated).
        let definitionLevel: Int
        /// Repetition level of this node's list when it is repeated.
        let repetitionLevel: Int
        let children: [Plan]
        let leafIndex: Int?

        init(_ node: ParquetSchemaNode, parentDefinition: Int, parentRepetition: Int) {
            name = node.name
            repetition = node.repetition
            logicalType = node.logicalType
            definitionLevel = parentDefinition + (node.repetition == .required ? 0 : 1)
            repetitionLevel = parentRepetition + (node.repetition == .repeated ? 1 : 0)
            children = node.children.map { Plan($0, parentDefinition: parentDefinition + (node.repetition == .required ? 0 : 1),
                                                parentRepetition: parentRepetition + (node.repetition == .repeated ? 1 : 0)) }
            leafIndex = node.leafIndex
        }
    }

    /// One node of the row being built: a field's slot (list of elements when repeated) or an element.
    private final class Slot {
        var present = false
        var value = ParquetFieldValue.null
        var children: [Slot?]
        var elements: [Slot] = []

        init(childCount: Int) { children = [Slot?](repeating: nil, count: childCount) }
    }

    /// A leaf column's stream and its path in the field.
    private struct LeafCursor {
        let column: ColumnChunkData
        let chain: [Plan]
        /// `childIndex[j]`: which child of `chain[j]` is `chain[j + 1]`.
        let childIndex: [Int]
        var counters: [Int]
        var level = 0
        var value = 0
    }

    private let plan: Plan
    private var leaves: [LeafCursor] = []

    /// `columns[leafIndex]` holds the row group's decoded leaf columns of this field.
    init(field: ParquetSchemaNode, columns: [Int: ColumnChunkData]) {
        plan = Plan(field, parentDefinition: 0, parentRepetition: 0)
        func walk(_ node: Plan, chain: [Plan], indices: [Int]) {
            let chain = chain + [node]
            if let leaf = node.leafIndex, let column = columns[leaf] {
                leaves.append(LeafCursor(column: column, chain: chain, childIndex: indices,
                                         counters: [Int](repeating: 0, count: chain.count)))
            }
            for (k, child) in node.children.enumerated() { walk(child, chain: chain, indices: indices + [k]) }
        }
        walk(plan, chain: [], indices: [])
    }

    /// The field's value in the next row.
    func next() -> ParquetFieldValue {
        let root = Slot(childCount: plan.children.count)
        for k in leaves.indices { consumeRow(&leaves[k], into: root) }
        return Self.slotValue(root, plan)
    }

    private func consumeRow(_ cursor: inout LeafCursor, into root: Slot) {
        let column = cursor.column
        let maxDefinition = column.leaf.maxDefinitionLevel
        var first = true
        while cursor.level < column.levelCount {
            let r = column.repetitionLevels.isEmpty ? 0 : Int(column.repetitionLevels[cursor.level])
            if r == 0 && !first { break }
            first = false
            let d = column.definitionLevels.isEmpty ? maxDefinition : Int(column.definitionLevels[cursor.level])
            cursor.level += 1
            var value: ParquetFieldValue?
            if d == maxDefinition {
                value = column.value(at: cursor.value)
                cursor.value += 1
            }
            insert(&cursor, d: d, r: r, value: value, into: root)
        }
    }

    private func insert(_ cursor: inout LeafCursor, d: Int, r: Int, value: ParquetFieldValue?, into root: Slot) {
        var slot = root
        let chain = cursor.chain
        for j in chain.indices {
            let node = chain[j]
            switch node.repetition {
            case .repeated:
                slot.present = true
                if d < node.definitionLevel { return }  // an empty list
                if r < node.repetitionLevel {
                    cursor.counters[j] = 0
                } else if r == node.repetitionLevel {
                    cursor.counters[j] += 1
                }
                let index = cursor.counters[j]
                while slot.elements.count <= index {
                    let element = Slot(childCount: node.children.count)
                    element.present = true
                    slot.elements.append(element)
                }
                slot = slot.elements[index]
            case .optional:
                if d < node.definitionLevel { return }  // null here
                slot.present = true
            case .required:
                slot.present = true
            }
            if j == chain.count - 1 {
                slot.value = value ?? .null
                return
            }
            let k = cursor.childIndex[j]
            if slot.children[k] == nil { slot.children[k] = Slot(childCount: chain[j + 1].children.count) }
            slot = slot.children[k]!
        }
    }

    /// A field's value from its slot: a list for a repeated field, else the instance.
    private static func slotValue(_ slot: Slot?, _ plan: Plan) -> ParquetFieldValue {
        guard let slot, slot.present else { return plan.repetition == .repeated ? .list([]) : .null }
        if plan.repetition == .repeated { return .list(slot.elements.map { instanceValue($0, plan) }) }
        return instanceValue(slot, plan)
    }

    /// One instance of a field (an element, for a repeated one), with LIST and MAP applied.
    private static func instanceValue(_ slot: Slot, _ plan: Plan) -> ParquetFieldValue {
        guard slot.present else { return .null }
        if plan.leafIndex != nil { return slot.value }
        if plan.children.count == 1, plan.children[0].repetition == .repeated {
            let repeated = plan.children[0]
            let elements = slot.children[0]?.elements ?? []
            if plan.logicalType == .list {
                // Three-level list (the repeated group wraps one element field) unless a backward-
                // compatibility rule says the repeated field is the element itself.
                let repeatedIsElement = repeated.leafIndex != nil || repeated.children.count != 1
                    || repeated.name == "array" || repeated.name == plan.name + "_tuple"
                if repeatedIsElement { return .list(elements.map { instanceValue($0, repeated) }) }
                return .list(elements.map { slotValue($0.children[0], repeated.children[0]) })
            }
            if plan.logicalType == .map, repeated.leafIndex == nil, !repeated.children.isEmpty {
                return .map(elements.map { entry in
                    ParquetMapEntry(key: slotValue(entry.children[0], repeated.children[0]),
                                    value: repeated.children.count > 1 ? slotValue(entry.children[1], repeated.children[1]) : .null)
                })
            }
        }
        return .record(plan.children.enumerated().map { k, child in
            ParquetRecordField(name: child.name, value: slotValue(slot.children[k], child))
        })
    }
}
