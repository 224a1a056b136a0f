/// How a text becomes a set of shingles: word n-grams (`words:N`) or character n-grams (`chars:N`) of
/// the normalised text (see `Shingler` for the normalisation). The default is word 5-grams, as
/// datatrove's MinhashConfig.
public struct ShingleSetting: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case words
        case chars
    }

    /// A setting that is not `words:N` or `chars:N` with 1 <= N <= 64.
    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "invalid shingle setting '\(text)': expected words:N or chars:N with N from 1 to \(ShingleSetting.maximumSize)"
        }
    }

    public static let maximumSize = 64
    public static let defaultSetting = ShingleSetting(validUnit: .words, size: 5)

    public let unit: Unit
    public let size: Int

    private init(validUnit unit: Unit, size: Int) {
        self.unit = unit
        self.size = size
    }

    public init(unit: Unit, size: Int) throws {
        guard (1...Self.maximumSize).contains(size) else { throw ParseError(text: "\(unit.rawValue):\(size)") }
        self.init(validUnit: unit, size: size)
    }

    /// Parses `words:N` or `chars:N` (the `--shingle` flag's syntax).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let unit = Unit(rawValue: String(parts[0])),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let size = Int(parts[1]),
              (1...Self.maximumSize).contains(size)
        else { throw ParseError(text: text) }
        self.init(validUnit: unit, size: size)
    }

    /// `words:5`: what the flag takes and the run prints.
    public var description: String { "\(unit.rawValue):\(size)" }

    /// The setting with its normalisation's version, for cache keys: a change to the normalisation
    /// changes every shingle, so signatures cached under the old one must not be reused.
    public var canonical: String { "\(description);norm=\(Shingler.normalization)" }
}
