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

extension ConfigValue {
    /// The string, or nil for other types.
    public var stringValue: String? { if case .string(let v) = self { return v } else { return nil } }
    /// The integer, or nil for other types (a float is not silently truncated).
    public var intValue: Int? { if case .int(let v) = self { return v } else { return nil } }
    /// The number as a Double: floats and integers alike.
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    /// The boolean, or nil for other types.
    public var boolValue: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    /// An array whose elements are all strings, or nil.
    public var stringArray: [String]? {
        guard case .array(let items) = self else { return nil }
        let strings = items.compactMap(\.stringValue)
        return strings.count == items.count ? strings : nil
    }
}
