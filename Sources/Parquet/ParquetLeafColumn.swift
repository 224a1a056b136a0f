/// A leaf (primitive) column of the schema: where its values are stored, one column chunk per row group.
public struct ParquetLeafColumn: Sendable {
    /// Field names from the top-level field down to the leaf.
    public var path: [String]
    public var physicalType: ParquetPhysicalType
    public var typeLength: Int
    public var logicalType: ParquetLogicalType?
    /// Definition level of a present (non-null) value: the optional and repeated fields on its path.
    public var maxDefinitionLevel: Int
    /// The repeated fields on its path.
    public var maxRepetitionLevel: Int
    /// Index of its top-level field in `ParquetFileSchema.fields`.
    public var topLevelField: Int

    /// The dotted path, as error messages name the column.
    public var dottedPath: String { path.joined(separator: ".") }
}
