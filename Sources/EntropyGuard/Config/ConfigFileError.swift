/// A configuration file that could not be read or parsed.
///
/// `description` reads like a compiler diagnostic: `path:line: key 'name': problem` (line only for TOML,
/// key only when the problem belongs to one).
public struct ConfigFileError: Error, CustomStringConvertible, Equatable {
    /// The config file (or, for `discoverStrict`, the directory).
    public let path: String
    /// 1-based line of the problem, when known.
    public let line: Int?
    /// The key whose value is wrong, when the problem belongs to one.
    public let key: String?
    /// What is wrong.
    public let message: String

    public init(path: String, line: Int? = nil, key: String? = nil, message: String) {
        self.path = path
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "key '\(key)': " }
        return text + message
    }
}
