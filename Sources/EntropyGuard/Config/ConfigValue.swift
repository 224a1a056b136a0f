/// A value from a configuration file: the scalar types shared by JSON and TOML, and arrays of them.
public enum ConfigValue: Equatable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([ConfigValue])

    /// Short type name for error messages ("string", "integer", …).
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .int: return "integer"
        case .double: return "float"
        case .bool: return "boolean"
        case .array: return "array"
        }
    }
}
