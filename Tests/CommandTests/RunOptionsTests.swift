import ArgumentParser
@testable import entropyguard
import EntropyGuard
import Foundation
import MinHash
import XCTest

/// The `run` command's options: values with fixed choices are parsed by swift-argument-parser, each
/// default is one constant, and the settings file's keys are exactly the long flags.
final class RunOptionsTests: XCTestCase {
    /// Long names of `run`'s options, from swift-argument-parser's own description of the command.
    func longFlagNames() throws -> Set<String> {
        struct ToolInfo: Decodable {
            struct Command: Decodable { let arguments: [Argument]? }
            struct Argument: Decodable { let names: [Name]? }
            struct Name: Decodable { let kind: String; let name: String }
            let command: Command
        }
        let info = try JSONDecoder().decode(ToolInfo.self, from: Data(RunCommand._dumpHelp().utf8))
        return Set((info.command.arguments ?? []).flatMap { $0.names ?? [] }.filter { $0.kind == "long" }.map(\.name))
    }

    func testSettingsFileKeysAreTheLongFlagsAndStageOptionsAreFlags() throws {
        let flags = try longFlagNames()
        XCTAssertTrue(flags.contains("min-length"), "\(flags)")
        XCTAssertEqual(RunSettings.knownKeys, flags.subtracting(["config", "help", "version"]))
        let stageKeys = StageRegistry.standard.optionKeys
        XCTAssertEqual(Set(stageKeys).count, stageKeys.count, "an option belongs to one stage")
        XCTAssertTrue(Set(stageKeys).isDisjoint(with: RunSettings.generalKeys))
    }

    func testResumeFromChoicesAreTheRegistryStages() throws {
        XCTAssertEqual(StageChoice.allValueStrings, StageRegistry.standard.names)
        let help = RunCommand.helpMessage(columns: 1000)
        XCTAssertTrue(help.contains("(values: " + StageRegistry.standard.names.joined(separator: ", ") + ")"), help)
        let command = try RunCommand.parse(["--resume-from", "after_exact_dedup", "--checkpoint-dir", "ck"])
        XCTAssertEqual(command.resumeFrom?.id, StageRegistry.standard["exact_dedup"])
        XCTAssertThrowsError(try RunCommand.parse(["--resume-from", "nowhere", "--checkpoint-dir", "ck"])) { error in
            XCTAssertEqual(RunCommand.exitCode(for: error).rawValue, ExitStatus.usage.rawValue)
            XCTAssertTrue(RunCommand.message(for: error).contains("'nowhere' is invalid"), RunCommand.message(for: error))
        }
    }

    func testChoicesParseAndBadOnesAreUsageErrors() throws {
        let command = try RunCommand.parse(["--search", "ivf", "--snapshots", "dedup", "--pii", "email, ip"])
        XCTAssertEqual(command.search, .ivf)
        XCTAssertEqual(command.snapshots, .dedup)
        XCTAssertEqual(command.pii?.kinds, [.email, .ip])
        XCTAssertEqual(try RunCommand.parse(["--pii", "none"]).pii?.kinds, [])
        XCTAssertEqual(try RunCommand.parse(["--shingle", "chars:7"]).shingle, try ShingleSetting(unit: .chars, size: 7))
        for arguments in [["--search", "fast"], ["--snapshots", "few"], ["--pii", "email,passport"], ["--shingle", "words:0"],
                          ["--shingle", "bytes:3"], ["--shingle", "words"]] {
            XCTAssertThrowsError(try RunCommand.parse(arguments), "\(arguments)") { error in
                XCTAssertEqual(RunCommand.exitCode(for: error).rawValue, ExitStatus.usage.rawValue, "\(arguments)")
            }
        }
    }

    /// Without flags or a settings file, the options are PipelineOptions' defaults (the constants the
    /// help shows); the settings file's values go through the same parsing as the flags.
    func testDefaultsAreOneConstantEach() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eg-options-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.json")
        try Data("{}".utf8).write(to: empty)
        let options = try RunSettings.options(from: RunCommand.parse(["--config", empty.path]))
        let defaults = PipelineOptions()
        XCTAssertEqual(options.minLength, PipelineOptions.Defaults.minLength)
        XCTAssertNil(options.dedupThreshold, "not given: the model's recommended threshold applies")
        XCTAssertEqual(options.batchSize, PipelineOptions.Defaults.batchSize)
        XCTAssertEqual(options.chunkOverlap, PipelineOptions.Defaults.chunkOverlap)
        XCTAssertEqual(options.modelName, defaults.modelName)
        XCTAssertEqual(options.searchMode, PipelineOptions.Defaults.searchMode)
        XCTAssertEqual(options.snapshots, PipelineOptions.Defaults.snapshots)
        XCTAssertEqual(options.piiKinds, PipelineOptions.Defaults.piiKinds)
        XCTAssertFalse(options.annotate)
        XCTAssertEqual(options.annotateField, PipelineOptions.Defaults.annotateField)
        XCTAssertTrue(RunCommand.helpMessage(columns: 1000).contains("Default \(PipelineOptions.Defaults.annotateField)."))
        XCTAssertTrue(options.fuzzyDedup)
        XCTAssertEqual(options.fuzzyThreshold, PipelineOptions.Defaults.fuzzyThreshold)
        XCTAssertEqual(options.shingle, PipelineOptions.Defaults.shingle)
        XCTAssertEqual(options.minhashPermutations, PipelineOptions.Defaults.minhashPermutations)
        let help = RunCommand.helpMessage(columns: 1000)
        XCTAssertTrue(help.contains("else \(PipelineOptions.Defaults.dedupThreshold)."), help)
        XCTAssertTrue(help.contains("Default \(PipelineOptions.Defaults.minLength)."), help)
        XCTAssertTrue(help.contains("Default \(PipelineOptions.Defaults.batchSize)."), help)

        let file = directory.appendingPathComponent("settings.json")
        try Data(#"{"search": "exact", "snapshots": "none", "resume-from": "chunk", "checkpoint-dir": "ck", "pii": ["email"], "annotate": true, "annotate-field": "eg"}"#.utf8).write(to: file)
        let fromFile = try RunSettings.options(from: RunCommand.parse(["--config", file.path]))
        XCTAssertEqual(fromFile.searchMode, .exact)
        XCTAssertEqual(fromFile.snapshots, PipelineOptions.Snapshots.none)
        XCTAssertEqual(fromFile.resumeFrom, StageRegistry.standard["chunk"])
        XCTAssertEqual(fromFile.piiKinds, [.email])
        XCTAssertTrue(fromFile.annotate)
        XCTAssertEqual(fromFile.annotateField, "eg")
        XCTAssertEqual(try RunSettings.options(from: RunCommand.parse(["--config", file.path, "--annotate-field", "x"])).annotateField, "x")
        try Data(#"{"no-fuzzy-dedup": true, "fuzzy-threshold": 0.7, "shingle": "chars:9", "minhash-perms": 64}"#.utf8).write(to: file)
        let fuzzy = try RunSettings.options(from: RunCommand.parse(["--config", file.path]))
        XCTAssertFalse(fuzzy.fuzzyDedup)
        XCTAssertEqual(fuzzy.fuzzyThreshold, 0.7)
        XCTAssertEqual(fuzzy.shingle, try ShingleSetting(unit: .chars, size: 9))
        XCTAssertEqual(fuzzy.minhashPermutations, 64)
        for (json, key) in [(#"{"shingle": "words:x"}"#, "shingle"), (#"{"fuzzy-threshold": 0}"#, "--fuzzy-threshold"),
                            (#"{"minhash-perms": 2000}"#, "--minhash-perms")] {
            try Data(json.utf8).write(to: file)
            XCTAssertThrowsError(try RunSettings.options(from: RunCommand.parse(["--config", file.path])), json) { error in
                XCTAssertEqual((error as? EntropyGuardError)?.status, .usage)
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
        try Data(#"{"search": "fast"}"#.utf8).write(to: file)
        XCTAssertThrowsError(try RunSettings.options(from: RunCommand.parse(["--config", file.path]))) { error in
            XCTAssertEqual((error as? EntropyGuardError)?.status, .usage)
            XCTAssertTrue("\(error)".contains("key 'search'") && "\(error)".contains("exact, ivf, auto"), "\(error)")
        }
    }
}
