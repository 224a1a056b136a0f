/// What `sanitize(_:options:)` does. Every step is on by default.
public struct SanitizeOptions: Sendable {
    /// Remove HTML markup and decode entities — only for texts that contain at least one real tag.
    public var stripHTML = true
    /// NFC, invisible-character removal, line-break and whitespace normalization, trimming.
    public var normalizeUnicode = true
    /// PII kinds to mask; empty disables masking.
    public var piiKinds: Set<PIIKind> = PIIKind.all

    /// All steps on and every PII kind masked unless told otherwise.
    public init(stripHTML: Bool = true, normalizeUnicode: Bool = true,
                piiKinds: Set<PIIKind> = PIIKind.all) {
        self.stripHTML = stripHTML
        self.normalizeUnicode = normalizeUnicode
        self.piiKinds = piiKinds
    }
}

/// The output of `sanitize(_:options:)`.
public struct SanitizeResult: Sendable, Equatable {
    /// The cleaned text (case preserved).
    public let text: String
    /// Number of masked spans per kind; kinds with no match are absent.
    public let piiCounts: [PIIKind: Int]
    /// True when the input was recognised as HTML and its markup removed.
    public let htmlStripped: Bool
    /// True when `text`'s bytes differ from the input's (a change of Unicode normalization only counts).
    public var changed: Bool

    /// Memberwise initializer (results normally come from `sanitize`).
    public init(text: String, piiCounts: [PIIKind: Int], htmlStripped: Bool, changed: Bool) {
        self.text = text
        self.piiCounts = piiCounts
        self.htmlStripped = htmlStripped
        self.changed = changed
    }
}
