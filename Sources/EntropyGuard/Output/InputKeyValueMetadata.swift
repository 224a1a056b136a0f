import Parquet

/// The Parquet input's footer key/value metadata (its first file's), as the Parquet output and the
/// snapshots carry it. A file with exactly the input's columns gets every pair as it is. A file with
/// other columns (ours before them: `_row`, `_parent_row`, `_chunk_index`; `--annotate`'s after; an
/// input column renamed away from one of ours; a text column that was not a string or was missing)
/// gets the pairs with "ARROW:schema" rebuilt for its columns (`ArrowSchemaMetadata.rebuilt`: the
/// input's fields as they were, ours as their Arrow types), so pyarrow reads the input's columns with
/// their Arrow types (time zones, large strings, dictionaries…) and ours as they are written. An
/// Arrow schema that cannot be rebuilt (not one, or not naming the input's columns) is left out
/// rather than copied: pyarrow would take it for the file's own and misread the columns.
/// The other pairs (pandas', Hugging Face's) are copied as they are and describe the input's columns.
struct InputKeyValueMetadata {
    let pairs: [(key: String, value: String?)]
    /// The input file's columns, as the writer copies them.
    let inputColumns: [ParquetColumn]
    /// Per column of `InputColumns.parquetColumns`: its field in the input file, nil for a column
    /// the pipeline made (the text column when it was not a string column or not there).
    let sourceField: [Int?]

    /// The pairs for a file of `columns`, where `InputColumns.parquetColumns` (maybe renamed) start
    /// at `firstInputColumn`.
    func pairs(columns: [ParquetColumn], firstInputColumn: Int) -> [(key: String, value: String?)] {
        if columns == inputColumns { return pairs }
        return pairs.compactMap { pair in
            guard pair.key == ArrowSchemaMetadata.key else { return pair }
            guard let value = pair.value, let schema = try? ArrowSchemaMetadata(base64: value),
                  schema.fieldNames == inputColumns.map(\.name) else { return nil }
            let fields = columns.enumerated().map { index, column -> ArrowSchemaMetadata.Field in
                let inputIndex = index - firstInputColumn
                guard sourceField.indices.contains(inputIndex), let field = sourceField[inputIndex] else { return .added(column) }
                return .original(index: field, name: column.name)
            }
            return (try? schema.rebuilt(fields)).map { (pair.key, $0) }
        }
    }
}
