/// The unit of a TIME or TIMESTAMP value.
public enum ParquetTimeUnit: Sendable, Equatable {
    case millis, micros, nanos

    /// Units per second.
    public var perSecond: Int64 {
        switch self {
        case .millis: return 1_000
        case .micros: return 1_000_000
        case .nanos: return 1_000_000_000
        }
    }

    /// Digits of a second's fraction in this unit.
    var fractionDigits: Int {
        switch self {
        case .millis: return 3
        case .micros: return 6
        case .nanos: return 9
        }
    }
}
