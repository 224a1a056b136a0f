extension ParquetColumn {
    /// The writer column that holds a read field's values (`ParquetFieldValue`s as the reader returns
    /// them) with its type: its physical and logical types, nullability and nesting. Lists and maps
    /// take the standard three-level form whatever form the file used (legacy two-level lists, bare
    /// repeated fields: read as lists, written as LISTs of required elements), so a value read from
    /// `node` is written back unchanged.
    public init(copying node: ParquetSchemaNode) {
        if node.repetition == .repeated {
            // A repeated field outside a LIST annotation: the reader gives a list of its instances.
            self.init(name: node.name, type: .list(element: ParquetColumn(name: "element", type: Self.instanceType(node), optional: false)),
                      optional: false)
        } else {
            self.init(name: node.name, type: Self.instanceType(node), optional: node.repetition == .optional)
        }
    }

    /// The type of one instance of `node` (an element, for a repeated one), as `RecordAssembler` reads it.
    private static func instanceType(_ node: ParquetSchemaNode) -> ParquetType {
        guard let physical = node.physicalType else { return groupType(node) }
        return .primitive(physical, typeLength: node.typeLength, logical: node.logicalType)
    }

    private static func groupType(_ node: ParquetSchemaNode) -> ParquetType {
        if node.children.count == 1, node.children[0].repetition == .repeated {
            let repeated = node.children[0]
            if node.logicalType == .list {
                // The backward-compatibility rules of LogicalTypes.md, as `RecordAssembler` applies them.
                let repeatedIsElement = !repeated.isGroup || repeated.children.count != 1
                    || repeated.name == "array" || repeated.name == node.name + "_tuple"
                if repeatedIsElement {
                    return .list(element: ParquetColumn(name: "element", type: instanceType(repeated), optional: false))
                }
                return .list(element: ParquetColumn(copying: repeated.children[0]))
            }
            if node.logicalType == .map, repeated.isGroup, !repeated.children.isEmpty {
                var key = ParquetColumn(copying: repeated.children[0])
                key.optional = false
                let value = repeated.children.count > 1 ? ParquetColumn(copying: repeated.children[1])
                    : ParquetColumn(name: "value", type: .primitive(.int32, typeLength: 0, logical: .null), optional: true)
                return .map(key: key, value: value)
            }
        }
        return .structure(node.children.map { ParquetColumn(copying: $0) })
    }
}
