import Foundation

/// Finds model folders: a bare name is looked up in the EntropyGuard models folder,
/// anything that looks like a path is used as is.
public enum ModelLocator {
    /// Files a BERT sentence-transformer folder must contain for ``SentenceEmbedder`` to load it.
    static let requiredFiles = [
        "config.json", "vocab.txt", "sentence_bert_config.json", "1_Pooling/config.json", "model.safetensors",
    ]
    /// Files a static model folder (``StaticEmbedder``) must contain.
    static let requiredStaticFiles = ["config.json", "vocab.txt", "model.safetensors"]

    /// `$ENTROPYGUARD_HOME/models`, or `~/.cache/entropyguard/models` when the variable is unset or empty.
    public static func modelsDirectory() -> URL {
        let environment = ProcessInfo.processInfo.environment
        let home: URL
        if let custom = environment["ENTROPYGUARD_HOME"], !custom.isEmpty {
            home = URL(fileURLWithPath: custom, isDirectory: true)
        } else {
            home = FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/entropyguard", isDirectory: true)
        }
        return home.appendingPathComponent("models", isDirectory: true)
    }

    /// Resolves a model name (e.g. `all-MiniLM-L6-v2`) or a folder path to a complete model folder.
    /// - Throws: ``MiniLMError`` with ``MiniLMError/isModelMissing`` set when the folder or a required
    ///   file is missing; the message names the folder and `scripts/fetch-model`.
    public static func resolve(_ nameOrPath: String) throws -> URL {
        let folder = self.folder(for: nameOrPath)
        try checkComplete(folder)
        return folder
    }

    /// The folder a model name (under the models folder) or path stands for, whether or not it exists.
    public static func folder(for nameOrPath: String) -> URL {
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasPrefix(".") || nameOrPath.hasPrefix("~")
        if looksLikePath {
            return URL(fileURLWithPath: (nameOrPath as NSString).expandingTildeInPath, isDirectory: true).standardizedFileURL
        }
        return modelsDirectory().appendingPathComponent(nameOrPath, isDirectory: true).standardizedFileURL
    }

    /// Throws a "model missing" error unless `folder` holds every required file.
    static func checkComplete(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw MiniLMError.missing(folder, detail: "no model folder") }
        let required = EmbeddingModelKind.of(folder) == .static ? requiredStaticFiles : requiredFiles
        let absent = required.filter {
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
        if !absent.isEmpty {
            throw MiniLMError.missing(folder, detail: "missing \(absent.joined(separator: ", "))")
        }
    }
}
