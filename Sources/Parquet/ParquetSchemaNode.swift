/// One field of a file's schema as its footer declares it: a primitive column (a leaf) or a group of
/// fields, with its repetition and logical type. The top-level fields are the records' columns.
public struct ParquetSchemaNode: Sendable {
    public var name: String
    public var repetition: ParquetRepetition
    /// nil for a group.
    public var physicalType: ParquetPhysicalType?
    /// FIXED_LEN_BYTE_ARRAY's width in bytes (0 otherwise).
    public var typeLength: Int
    public var logicalType: ParquetLogicalType?
    /// The footer's field_id, when the writer set one.
    public var fieldId: Int32?
    public var children: [ParquetSchemaNode]
    /// For a leaf: its index among the file's leaf columns (`ParquetFileSchema.leaves`).
    public var leafIndex: Int?

    public var isGroup: Bool { physicalType == nil }
}
