/// The writer's columns compiled once: the footer's schema elements (depth first), the leaf columns
/// in file order, and for each top-level column the tree `ValueShredder` walks to turn a value into
/// its leaves' levels (the "column striping" half of Dremel; the reader's `RecordAssembler` is the
/// other). Lists and maps take the standard three-level form of LogicalTypes.md.
struct WriterSchema {
    private(set) var elements: [SchemaElement]
    private(set) var leaves: [WriterLeaf] = []
    private(set) var roots: [ShredNode] = []

    /// Nesting deeper than any real schema (the reader refuses deeper ones too).
    static let maxDepth = 64
    /// Definition and repetition levels are stored one byte each in the pages being built.
    static let maxLevel = 255

    init(columns: [ParquetColumn]) throws {
        guard !columns.isEmpty else { throw ParquetError.invalidArgument("a Parquet file needs at least one column") }
        elements = [SchemaElement(name: "schema", numChildren: Int32(columns.count))]
        try Self.checkNames(columns, in: "the schema")
        for column in columns {
            roots.append(try add(column, path: [], definition: 0, repetition: 0, depth: 1))
        }
    }

    /// Names are bytes, as readers see them: a Set<String> would call "e\u{301}" and "\u{E9}" one
    /// name (String equality is canonical equivalence) and refuse two columns pyarrow tells apart.
    private static func checkNames(_ columns: [ParquetColumn], in place: String) throws {
        var seen = Set<[UInt8]>()
        for column in columns {
            guard !column.name.isEmpty else { throw ParquetError.invalidArgument("column names must not be empty (in \(place))") }
            guard seen.insert(Array(column.name.utf8)).inserted else { throw ParquetError.invalidArgument("duplicate column name \(column.name)") }
        }
    }

    private mutating func add(_ column: ParquetColumn, path: [String], definition: Int, repetition: Int, depth: Int) throws -> ShredNode {
        guard depth <= Self.maxDepth else { throw ParquetError.invalidArgument("column \(path.joined(separator: ".")) is nested deeper than \(Self.maxDepth)") }
        let path = path + [column.name]
        let name = path.joined(separator: ".")
        let definition = definition + (column.optional ? 1 : 0)
        guard definition + 1 <= Self.maxLevel, repetition + 1 <= Self.maxLevel else {
            throw ParquetError.invalidArgument("column \(name) has more than \(Self.maxLevel) levels")
        }
        let repetitionType: ParquetRepetition = column.optional ? .optional : .required
        let firstLeaf = leaves.count
        switch column.type {
        case .structure(let fields):
            guard !fields.isEmpty else { throw ParquetError.invalidArgument("group \(name) has no fields") }
            try Self.checkNames(fields, in: name)
            elements.append(SchemaElement(repetition: repetitionType, name: column.name, numChildren: Int32(fields.count)))
            let children = try fields.map { try add($0, path: path, definition: definition, repetition: repetition, depth: depth + 1) }
            return ShredNode(optional: column.optional, kind: .group(children), leaves: firstLeaf..<leaves.count)
        case .list(let element):
            elements.append(SchemaElement(repetition: repetitionType, name: column.name, numChildren: 1, logicalType: .list))
            elements.append(SchemaElement(repetition: .repeated, name: "list", numChildren: 1))
            let child = try add(element, path: path + ["list"], definition: definition + 1, repetition: repetition + 1, depth: depth + 2)
            return ShredNode(optional: column.optional, kind: .repeated([child], level: repetition + 1, map: false),
                             leaves: firstLeaf..<leaves.count)
        case .map(let key, let value):
            guard !key.optional else { throw ParquetError.invalidArgument("map \(name): its key column must not be optional") }
            try Self.checkNames([key, value], in: name)
            elements.append(SchemaElement(repetition: repetitionType, name: column.name, numChildren: 1, logicalType: .map))
            elements.append(SchemaElement(repetition: .repeated, name: "key_value", numChildren: 2))
            let keyNode = try add(key, path: path + ["key_value"], definition: definition + 1, repetition: repetition + 1, depth: depth + 2)
            let valueNode = try add(value, path: path + ["key_value"], definition: definition + 1, repetition: repetition + 1, depth: depth + 2)
            return ShredNode(optional: column.optional, kind: .repeated([keyNode, valueNode], level: repetition + 1, map: true),
                             leaves: firstLeaf..<leaves.count)
        default:
            let (physical, length, logical) = try Self.primitive(column.type, name: name)
            elements.append(SchemaElement(type: physical, typeLength: physical == .fixedLenByteArray ? Int32(length) : nil,
                                          repetition: repetitionType, name: column.name, logicalType: logical))
            leaves.append(WriterLeaf(path: path, physicalType: physical, typeLength: physical == .int96 ? 12 : length, logicalType: logical,
                                     maxDefinitionLevel: definition, maxRepetitionLevel: repetition))
            return ShredNode(optional: column.optional, kind: .leaf(firstLeaf), leaves: firstLeaf..<firstLeaf + 1)
        }
    }

    /// A primitive type's physical type, width and logical type, checked.
    static func primitive(_ type: ParquetType, name: String) throws -> (ParquetPhysicalType, Int, ParquetLogicalType?) {
        switch type {
        case .boolean: return (.boolean, 0, nil)
        case .int32: return (.int32, 0, nil)
        case .int64: return (.int64, 0, nil)
        case .float: return (.float, 0, nil)
        case .double: return (.double, 0, nil)
        case .string: return (.byteArray, 0, .string)
        case .binary: return (.byteArray, 0, nil)
        case .date: return (.int32, 0, .date)
        case .timestamp(let unit, let utc): return (.int64, 0, .timestamp(unit: unit, adjustedToUTC: utc))
        case .fixedLenByteArray(let length):
            return try primitive(.primitive(.fixedLenByteArray, typeLength: length, logical: nil), name: name)
        case .decimal(let precision, let scale, let storage):
            let logical = ParquetLogicalType.decimal(precision: precision, scale: scale)
            switch storage {
            case .int32: return try primitive(.primitive(.int32, typeLength: 0, logical: logical), name: name)
            case .int64: return try primitive(.primitive(.int64, typeLength: 0, logical: logical), name: name)
            case .byteArray: return try primitive(.primitive(.byteArray, typeLength: 0, logical: logical), name: name)
            case .fixedLenByteArray(let length):
                return try primitive(.primitive(.fixedLenByteArray, typeLength: length, logical: logical), name: name)
            }
        case .primitive(let physical, let typeLength, let logical):
            if physical == .fixedLenByteArray {
                guard typeLength > 0, typeLength <= Int(Int32.max) else {
                    throw ParquetError.invalidArgument("column \(name): FIXED_LEN_BYTE_ARRAY of length \(typeLength)")
                }
            }
            if case .decimal(let precision, let scale)? = logical {
                guard precision >= 1, scale >= 0, scale <= precision, precision <= maxDecimalPrecision(physical, typeLength) else {
                    throw ParquetError.invalidArgument("column \(name): DECIMAL(\(precision), \(scale)) cannot be stored in \(physical)\(physical == .fixedLenByteArray ? "(\(typeLength))" : "")")
                }
            }
            guard logical.map({ fits($0, physical, typeLength) }) ?? true else {
                throw ParquetError.invalidArgument("column \(name): logical type \(logical!) cannot annotate \(physical)")
            }
            return (physical, physical == .fixedLenByteArray ? typeLength : 0, logical)
        case .list, .map, .structure:
            preconditionFailure("not a primitive type")
        }
    }

    /// The most decimal digits `physical` holds (LogicalTypes.md, DECIMAL): 9 in INT32, 18 in INT64,
    /// floor(log10(2^(8n-1) - 1)) in n bytes; BYTE_ARRAY has no bound.
    private static func maxDecimalPrecision(_ physical: ParquetPhysicalType, _ length: Int) -> Int32 {
        switch physical {
        case .int32: return 9
        case .int64: return 18
        case .fixedLenByteArray: return Int32(min(Double(Int32.max), (Double(8 * length - 1) * 0.30102999566398120).rounded(.down)))
        case .byteArray: return Int32.max
        default: return 0
        }
    }

    /// Whether `logical` may annotate `physical` (LogicalTypes.md).
    private static func fits(_ logical: ParquetLogicalType, _ physical: ParquetPhysicalType, _ length: Int) -> Bool {
        switch logical {
        case .string, .enumeration, .json, .bson: return physical == .byteArray
        case .uuid: return physical == .fixedLenByteArray && length == 16
        case .float16: return physical == .fixedLenByteArray && length == 2
        case .interval: return physical == .fixedLenByteArray && length == 12
        case .decimal: return [.int32, .int64, .byteArray, .fixedLenByteArray].contains(physical)
        case .date: return physical == .int32
        case .time(let unit, _): return physical == (unit == .millis ? .int32 : .int64)
        case .timestamp: return physical == .int64
        case .integer(let bitWidth, _): return [8, 16, 32].contains(bitWidth) ? physical == .int32 : bitWidth == 64 && physical == .int64
        case .null: return true
        case .map, .list: return false
        }
    }
}

/// A column's node in the shredding tree: optional or required, and what it is.
final class ShredNode {
    enum Kind {
        /// A primitive column: the index of its leaf.
        case leaf(Int)
        case group([ShredNode])
        /// A LIST (one child: the element) or MAP (two: key and value) under a repeated group whose
        /// repetition level is `level`.
        case repeated([ShredNode], level: Int, map: Bool)
    }

    let optional: Bool
    let kind: Kind
    /// The leaves under this node (contiguous: the schema is depth first).
    let leaves: Range<Int>

    init(optional: Bool, kind: Kind, leaves: Range<Int>) {
        self.optional = optional
        self.kind = kind
        self.leaves = leaves
    }
}
