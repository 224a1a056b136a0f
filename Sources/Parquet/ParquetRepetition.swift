/// A schema field's repetition (parquet.thrift `FieldRepetitionType`).
public enum ParquetRepetition: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2
}
