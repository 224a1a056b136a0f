import Foundation

/// An error raised while locating, loading or running a sentence-embedding model.
public struct MiniLMError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, in broad strokes, so callers can choose an exit code.
    public enum Kind: Equatable, Sendable {
        /// The model folder does not exist or lacks a required file (the CLI exits 66).
        case modelMissing
        /// A model file exists but cannot be parsed or does not describe a supported model.
        case invalidModel
    }

    /// The broad category of the failure.
    public let kind: Kind
    /// A human-readable explanation naming the file or folder concerned.
    public let message: String

    /// True when the model folder or one of its files is missing: run `scripts/fetch-model`.
    public var isModelMissing: Bool { kind == .modelMissing }

    public var description: String { message }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static func missing(_ folder: URL, detail: String) -> MiniLMError {
        MiniLMError(.modelMissing,
                    "model not found: \(detail) in \(folder.path). Run scripts/fetch-model to download it.")
    }

    static func invalid(_ file: URL, _ detail: String) -> MiniLMError {
        MiniLMError(.invalidModel, "invalid model file \(file.path): \(detail)")
    }
}
