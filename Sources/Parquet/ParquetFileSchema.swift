/// A file's schema: the top-level fields (the records' columns, nested ones as trees) and the leaf
/// columns in file order, built from the footer's depth-first SchemaElement list.
public struct ParquetFileSchema: Sendable {
    /// The top-level fields, in file order.
    public var fields: [ParquetSchemaNode]
    /// The primitive columns, in the order of the row groups' column chunks.
    public var leaves: [ParquetLeafColumn]

    /// The top-level field names.
    public var fieldNames: [String] { fields.map(\.name) }

    /// The index of the top-level field named `name`, compared byte for byte (as the rest of the
    /// project compares names: "café" composed and decomposed are two fields); nil when absent.
    public func fieldIndex(named name: String) -> Int? {
        let wanted = Array(name.utf8)
        return fields.firstIndex { $0.name.utf8.elementsEqual(wanted) }
    }

    /// Nesting deeper than any real schema; a footer claiming more is refused rather than recursed into.
    static let maxDepth = 64
    /// Decimals have 0 ≤ scale ≤ precision; no writer goes past 76 digits (DECIMAL256). A damaged
    /// scale of two billion would make every value's text that long.
    static let maxDecimalScale: Int32 = 1_000

    init(elements: [FooterSchemaElement]) throws {
        guard let root = elements.first else { throw ThriftCompactDecoder.Failure(message: "empty schema") }
        var position = 1
        var leaves: [ParquetLeafColumn] = []
        var fields: [ParquetSchemaNode] = []
        let rootChildren = Int(root.numChildren ?? 0)
        guard rootChildren >= 0, rootChildren <= elements.count - 1 else {
            throw ThriftCompactDecoder.Failure(message: "schema root claims \(rootChildren) children, the list has \(elements.count - 1) elements")
        }
        for index in 0..<rootChildren {
            fields.append(try Self.node(elements, &position, path: [], definition: 0, repetition: 0, depth: 1,
                                        topLevel: index, leaves: &leaves))
        }
        guard position == elements.count else {
            throw ThriftCompactDecoder.Failure(message: "schema has \(elements.count - position) elements outside the tree")
        }
        self.fields = fields
        self.leaves = leaves
    }

    private static func node(_ elements: [FooterSchemaElement], _ position: inout Int, path: [String], definition: Int, repetition: Int,
                             depth: Int, topLevel: Int, leaves: inout [ParquetLeafColumn]) throws -> ParquetSchemaNode {
        guard depth <= maxDepth else { throw ThriftCompactDecoder.Failure(message: "schema nested deeper than \(maxDepth)") }
        guard position < elements.count else { throw ThriftCompactDecoder.Failure(message: "schema list ends inside a group") }
        let element = elements[position]
        position += 1
        guard let repetitionType = ParquetRepetition(rawValue: element.repetition ?? 0) else {
            throw ThriftCompactDecoder.Failure(message: "field \(element.name): repetition \(element.repetition ?? 0)")
        }
        let logical = element.logicalType
            ?? (element.hasUnknownLogicalType ? nil : element.convertedType.flatMap {
                ParquetLogicalType.converted($0, scale: element.scale, precision: element.precision)
            })
        if case .decimal(_, let scale)? = logical, scale < 0 || scale > Self.maxDecimalScale {
            throw ThriftCompactDecoder.Failure(message: "field \(element.name): DECIMAL scale \(scale)")
        }
        let path = path + [element.name]
        let definition = definition + (repetitionType == .required ? 0 : 1)
        let repetition = repetition + (repetitionType == .repeated ? 1 : 0)
        var node = ParquetSchemaNode(name: element.name, repetition: repetitionType, physicalType: nil, typeLength: 0,
                                     logicalType: logical, fieldId: element.fieldId, children: [], leafIndex: nil)
        let childCount = element.numChildren ?? 0
        if childCount > 0 || element.type == nil {
            guard childCount > 0, Int(childCount) <= elements.count - position else {
                throw ThriftCompactDecoder.Failure(message: "group \(element.name) claims \(childCount) children")
            }
            for _ in 0..<childCount {
                node.children.append(try Self.node(elements, &position, path: path, definition: definition, repetition: repetition,
                                                   depth: depth + 1, topLevel: topLevel, leaves: &leaves))
            }
            return node
        }
        guard let type = ParquetPhysicalType(rawValue: element.type!) else {
            throw ThriftCompactDecoder.Failure(message: "column \(path.joined(separator: ".")): physical type \(element.type!)")
        }
        let typeLength = Int(element.typeLength ?? 0)
        if type == .fixedLenByteArray {
            guard typeLength > 0 else {
                throw ThriftCompactDecoder.Failure(message: "column \(path.joined(separator: ".")): FIXED_LEN_BYTE_ARRAY of length \(typeLength)")
            }
        }
        node.physicalType = type
        node.typeLength = type == .fixedLenByteArray ? typeLength : 0
        node.leafIndex = leaves.count
        leaves.append(ParquetLeafColumn(path: path, physicalType: type, typeLength: node.typeLength, logicalType: logical,
                                        maxDefinitionLevel: definition, maxRepetitionLevel: repetition, topLevelField: topLevel))
        return node
    }
}
