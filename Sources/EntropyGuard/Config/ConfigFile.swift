import Foundation

/// Loads flat key/value configuration files (`.entropyguardrc.json` / `.entropyguardrc.toml`).
public enum ConfigFile {
    /// File names `discover(in:)` looks for, in order of preference.
    public static let fileNames = [".entropyguardrc.json", ".entropyguardrc.toml"]

    /// Parses `path` by extension: `.json` (a flat object) or `.toml` (a flat subset: no tables).
    /// Throws `ConfigFileError` naming the file, the line (TOML) and the key or problem.
    public static func load(path: String) throws -> [String: ConfigValue] {
        let lowered = path.lowercased()
        guard lowered.hasSuffix(".json") || lowered.hasSuffix(".toml") else {
            throw ConfigFileError(path: path, message: "unsupported config file type (expected .json or .toml)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigFileError(path: path, message: "cannot read file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(path: path, message: "file is not valid UTF-8")
        }
        if lowered.hasSuffix(".json") {
            return try JSONConfigParser.parse(text, path: path)
        }
        var parser = TOMLConfigParser(text: text, path: path)
        return try parser.parse()
    }

    /// The config file in `directory`: `.entropyguardrc.json` or `.entropyguardrc.toml`, or nil.
    /// When both exist the JSON file wins (a deterministic choice); use `discoverStrict` to reject that
    /// ambiguity instead.
    public static func discover(in directory: String) -> String? {
        candidates(in: directory).first
    }

    /// Like `discover(in:)` but throws when both files exist, so the user is told which one is ignored.
    public static func discoverStrict(in directory: String) throws -> String? {
        let found = candidates(in: directory)
        if found.count > 1 {
            throw ConfigFileError(path: directory, message: "both \(fileNames[0]) and \(fileNames[1]) exist; keep only one")
        }
        return found.first
    }

    private static func candidates(in directory: String) -> [String] {
        let base = URL(fileURLWithPath: directory)
        return fileNames.map { base.appendingPathComponent($0).path }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
