import ArgumentParser
import EntropyGuard
import MinHash

// The option values with fixed choices, parsed by swift-argument-parser: a bad value is a usage error
// (exit 64) that lists the choices, and `help` shows them. The settings file's values go through the
// same `init?(argument:)`.

extension SemanticSearchMode: ExpressibleByArgument {}
extension PipelineOptions.Snapshots: ExpressibleByArgument {}

/// `--shingle words:N|chars:N`.
extension ShingleSetting: ExpressibleByArgument {
    public init?(argument: String) {
        guard let setting = try? ShingleSetting(parsing: argument) else { return nil }
        self = setting
    }

    public var defaultValueDescription: String { description }
}

/// `--resume-from`: a stage of the pipeline (or its checkpoint's name, after_<stage>); the choices
/// are the registry's stages.
struct StageChoice: ExpressibleByArgument, CaseIterable, CustomStringConvertible {
    let id: StageID

    init(id: StageID) { self.id = id }

    init?(argument: String) {
        guard let id = StageRegistry.standard[argument] else { return nil }
        self.id = id
    }

    static var allCases: [StageChoice] { StageRegistry.standard.ids.map(StageChoice.init(id:)) }
    var defaultValueDescription: String { id.name }
    var description: String { id.name }
}

/// `--pii`: PII kinds, comma-separated; `all` or `none`.
struct PIIKindList: ExpressibleByArgument {
    let kinds: Set<PIIKind>

    init?(argument: String) {
        guard let kinds = try? PIIKind.parseList(argument) else { return nil }
        self.kinds = kinds
    }

    static var allValueStrings: [String] { PIIKind.allCases.map(\.rawValue) + ["all", "none"] }
    var defaultValueDescription: String { Self.describe(kinds) }

    /// `all`, `none` or the kinds' names.
    static func describe(_ kinds: Set<PIIKind>) -> String {
        kinds == PIIKind.all ? "all" : kinds.isEmpty ? "none" : kinds.map(\.rawValue).sorted().joined(separator: ",")
    }
}
