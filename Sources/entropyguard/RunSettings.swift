import ArgumentParser
import EntropyGuard
import Foundation
import MinHash

/// Merges the command line with the settings file: a flag given on the command line wins, then the
/// file, then the default. Keys of the file are the long flag names; an unknown key or a bad value is
/// a usage error (exit 64) naming the key and the file.
enum RunSettings {
    /// The keys of the run's own options; each stage's options are in its `StageDefinition`.
    static let generalKeys: Set<String> = [
        "input", "output", "checkpoint-dir", "reference", "resume", "no-auto-resume", "resume-from", "required-columns", "batch-size",
        "audit-log", "annotate", "annotate-field", "snapshots", "quiet", "json", "dry-run", "report", "stop-after", "export-rows", "global-drops",
        "row-groups", "row-offset", "chunk-field",
    ]
    /// Every key the settings file may hold: the long flag names of `run` except --config (a test
    /// checks the two lists against each other).
    static let knownKeys = generalKeys.union(StageRegistry.standard.optionKeys)

    static func options(from command: RunCommand) throws -> PipelineOptions {
        var file: [String: ConfigValue] = [:]
        var filePath: String?
        if let path = command.config {
            guard FileManager.default.fileExists(atPath: path) else { throw EntropyGuardError(.usage, "--config \(path): file not found") }
            filePath = path
        } else {
            filePath = try ConfigFile.discoverStrict(in: FileManager.default.currentDirectoryPath)
        }
        if let filePath {
            do { file = try ConfigFile.load(path: filePath) } catch { throw EntropyGuardError(.usage, "\(error)") }
            for key in file.keys.sorted() where !knownKeys.contains(key) {
                throw EntropyGuardError(.usage, "\(filePath): unknown key '\(key)' (keys are the long flag names, e.g. min-length)")
            }
        }
        let reader = ConfigReader(values: file, path: filePath ?? "")

        // Defaults come from PipelineOptions (PipelineOptions.Defaults): a value is set only when given.
        var o = PipelineOptions()
        o.inputPath = try command.input ?? reader.string("input") ?? "-"
        o.outputPath = try command.output ?? reader.string("output") ?? "-"
        o.textColumn = try command.textColumn ?? reader.string("text-column")
        o.checkpointDirectory = try command.checkpointDir ?? reader.string("checkpoint-dir")
        o.referencePath = try command.reference ?? reader.string("reference")
        o.resume = try command.resume || (reader.bool("resume") ?? false)
        o.autoResume = !(try command.noAutoResume || (reader.bool("no-auto-resume") ?? false))
        o.resumeFrom = try (command.resumeFrom ?? reader.choice("resume-from", StageChoice.self))?.id
        o.stopAfter = try (command.stopAfter ?? reader.choice("stop-after", StageChoice.self))?.id
        o.exportRowsDirectory = try command.exportRows ?? reader.string("export-rows")
        o.globalDropsPath = try command.globalDrops ?? reader.string("global-drops")
        if let text = try command.rowGroups ?? reader.string("row-groups") {
            let bounds = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard bounds.count == 2, let start = bounds[0], let end = bounds[1], start >= 0, end > start else {
                throw EntropyGuardError(.usage, "--row-groups must be START:END with 0 <= START < END (got '\(text)')")
            }
            o.parquetRowGroups = start..<end
        }
        o.outputRowOffset = try command.rowOffset ?? reader.int("row-offset").map(Int64.init) ?? 0
        o.outputChunkField = try command.chunkField || (reader.bool("chunk-field") ?? false)
        o.minLength = try command.minLength ?? reader.int("min-length") ?? o.minLength
        o.requiredColumns = try (command.requiredColumns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? reader.stringList("required-columns")) ?? []
        o.dedupThreshold = try command.dedupThreshold ?? reader.double("dedup-threshold")
        o.modelName = try command.modelName ?? reader.string("model-name") ?? o.modelName
        o.batchSize = try command.batchSize ?? reader.int("batch-size") ?? o.batchSize
        o.semanticDedup = !(try command.noSemanticDedup || (reader.bool("no-semantic-dedup") ?? false))
        o.fuzzyDedup = !(try command.noFuzzyDedup || (reader.bool("no-fuzzy-dedup") ?? false))
        o.fuzzyThreshold = try command.fuzzyThreshold ?? reader.double("fuzzy-threshold") ?? o.fuzzyThreshold
        o.shingle = try command.shingle ?? reader.choice("shingle", ShingleSetting.self) ?? o.shingle
        o.minhashPermutations = try command.minhashPerms ?? reader.int("minhash-perms") ?? o.minhashPermutations
        o.searchMode = try command.search ?? reader.choice("search", SemanticSearchMode.self) ?? o.searchMode
        o.sanitize = !(try command.noSanitize || (reader.bool("no-sanitize") ?? false))
        let noPII = try command.noPii || (reader.bool("no-pii") ?? false)
        if noPII {
            o.piiKinds = []
        } else if let kinds = command.pii?.kinds {
            o.piiKinds = kinds
        } else if let kinds = try reader.stringList("pii")?.joined(separator: ",") {
            do { o.piiKinds = try PIIKind.parseList(kinds) } catch { throw EntropyGuardError(.usage, "\(reader.path): key 'pii': \(error)") }
        }
        o.chunkSize = try command.chunkSize ?? reader.int("chunk-size")
        o.chunkOverlap = try command.chunkOverlap ?? reader.int("chunk-overlap") ?? o.chunkOverlap
        if let separators = try command.separators ?? reader.string("separators") { o.chunkSeparators = Chunker.parseSeparators(separators) }
        o.auditLogPath = try command.auditLog ?? reader.string("audit-log")
        o.annotate = try command.annotate || (reader.bool("annotate") ?? false)
        o.annotateField = try command.annotateField ?? reader.string("annotate-field") ?? o.annotateField
        o.snapshots = try command.snapshots ?? reader.choice("snapshots", PipelineOptions.Snapshots.self) ?? o.snapshots
        o.skipBadLines = try command.skipBadLines || (reader.bool("skip-bad-lines") ?? false)
        o.quiet = try command.quiet || (reader.bool("quiet") ?? false)
        o.jsonSummary = try command.json || (reader.bool("json") ?? false)
        o.dryRun = try command.dryRun || (reader.bool("dry-run") ?? false)
        o.report = try command.report || (reader.bool("report") ?? false)
        o.arguments = Array(CommandLine.arguments.dropFirst())
        try validate(o)
        return o
    }

    static func validate(_ o: PipelineOptions) throws {
        func usage(_ message: String) -> EntropyGuardError { EntropyGuardError(.usage, message) }
        if o.minLength < 0 { throw usage("--min-length must be 0 or more (got \(o.minLength))") }
        if let threshold = o.dedupThreshold, !(0...1).contains(threshold) {
            throw usage("--dedup-threshold must be between 0 and 1 (got \(threshold))")
        }
        if !(o.fuzzyThreshold > 0 && o.fuzzyThreshold <= 1) {
            throw usage("--fuzzy-threshold must be above 0 and at most 1 (got \(o.fuzzyThreshold))")
        }
        if !(1...MinHasher.maximumPermutations).contains(o.minhashPermutations) {
            throw usage("--minhash-perms must be between 1 and \(MinHasher.maximumPermutations) (got \(o.minhashPermutations))")
        }
        if o.batchSize < 1 { throw usage("--batch-size must be at least 1 (got \(o.batchSize))") }
        if o.resume && o.checkpointDirectory == nil { throw usage("--resume needs --checkpoint-dir") }
        if o.resumeFrom != nil && o.checkpointDirectory == nil { throw usage("--resume-from needs --checkpoint-dir") }
        if o.report && o.checkpointDirectory == nil { throw usage("--report needs --checkpoint-dir (the report is made from its store)") }
        if o.exportRowsDirectory != nil && o.stopAfter == nil { throw usage("--export-rows needs --stop-after") }
        if o.stopAfter != nil && o.checkpointDirectory == nil { throw usage("--stop-after needs --checkpoint-dir (the store is what it leaves)") }
        if o.stopAfter != nil && o.globalDropsPath != nil { throw usage("--global-drops applies to the dedup stages: not with --stop-after") }
        if o.outputRowOffset < 0 { throw usage("--row-offset must be 0 or more (got \(o.outputRowOffset))") }
        if (o.outputRowOffset != 0 || o.outputChunkField) && o.outputPath.lowercased().hasSuffix(".parquet") {
            throw usage("--row-offset and --chunk-field apply to JSONL and CSV output, not Parquet")
        }
        if o.textColumn?.isEmpty == true { throw usage("--text-column must not be empty") }
        if o.annotateField.isEmpty { throw usage("--annotate-field must not be empty") }
        if o.annotateField == "_chunk" { throw usage("--annotate-field _chunk: the output's chunk field has that name") }
        if let size = o.chunkSize {
            do { try Chunker.validate(size: size, overlap: o.chunkOverlap) } catch { throw usage("--chunk-size/--chunk-overlap: \(error)") }
        }
    }
}

/// Typed access to the settings file, with errors naming the key and the file.
struct ConfigReader {
    let values: [String: ConfigValue]
    let path: String

    private func bad(_ key: String, _ expected: String, _ value: ConfigValue) -> EntropyGuardError {
        EntropyGuardError(.usage, "\(path): key '\(key)' must be \(expected), not a \(value.typeName)")
    }

    func string(_ key: String) throws -> String? {
        guard let value = values[key] else { return nil }
        guard let string = value.stringValue else { throw bad(key, "a string", value) }
        return string
    }

    func int(_ key: String) throws -> Int? {
        guard let value = values[key] else { return nil }
        guard let int = value.intValue else { throw bad(key, "an integer", value) }
        return int
    }

    func double(_ key: String) throws -> Double? {
        guard let value = values[key] else { return nil }
        guard let double = value.doubleValue else { throw bad(key, "a number", value) }
        return double
    }

    /// A value of a type with fixed choices, parsed as on the command line.
    func choice<T: ExpressibleByArgument>(_ key: String, _ type: T.Type) throws -> T? {
        guard let text = try string(key) else { return nil }
        guard let value = T(argument: text) else {
            let choices = T.allValueStrings.isEmpty ? "" : ": one of \(T.allValueStrings.joined(separator: ", "))"
            throw EntropyGuardError(.usage, "\(path): key '\(key)' must be a valid value\(choices) (got '\(text)')")
        }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        guard let bool = value.boolValue else { throw bad(key, "true or false", value) }
        return bool
    }

    /// A list: an array of strings, or one comma-separated string.
    func stringList(_ key: String) throws -> [String]? {
        guard let value = values[key] else { return nil }
        if let list = value.stringArray { return list }
        if let string = value.stringValue { return string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        throw bad(key, "a list of strings", value)
    }
}
