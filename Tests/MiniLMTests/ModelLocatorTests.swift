import Foundation
import MiniLM
import XCTest

/// Name and path resolution, and the "model missing" error the CLI maps to exit code 66.
final class ModelLocatorTests: XCTestCase {
    private var home: URL!
    private var savedHome: String?

    override func setUpWithError() throws {
        savedHome = ProcessInfo.processInfo.environment["ENTROPYGUARD_HOME"]
        home = FileManager.default.temporaryDirectory.appendingPathComponent("eg-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        setenv("ENTROPYGUARD_HOME", home.path, 1)
    }

    override func tearDownWithError() throws {
        if let savedHome { setenv("ENTROPYGUARD_HOME", savedHome, 1) } else { unsetenv("ENTROPYGUARD_HOME") }
        try? FileManager.default.removeItem(at: home)
    }

    func testModelsDirectoryFollowsEntropyGuardHome() {
        XCTAssertEqual(ModelLocator.modelsDirectory().standardizedFileURL.path,
                       home.appendingPathComponent("models").standardizedFileURL.path)
    }

    func testMissingModelNamesFolderAndFetchCommand() {
        XCTAssertThrowsError(try ModelLocator.resolve("all-MiniLM-L6-v2")) { error in
            let error = error as! MiniLMError
            XCTAssertTrue(error.isModelMissing)
            XCTAssertTrue(error.description.contains(home.appendingPathComponent("models/all-MiniLM-L6-v2").path),
                          error.description)
            XCTAssertTrue(error.description.contains("scripts/fetch-model"), error.description)
        }
    }

    func testIncompleteFolderListsMissingFiles() throws {
        let folder = home.appendingPathComponent("models/partial")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try ModelLocator.resolve("partial")) { error in
            let error = error as! MiniLMError
            XCTAssertTrue(error.isModelMissing)
            XCTAssertTrue(error.description.contains("model.safetensors"), error.description)
            XCTAssertTrue(error.description.contains("vocab.txt"), error.description)
            XCTAssertFalse(error.description.contains("missing config.json"), error.description)
        }
        XCTAssertThrowsError(try SentenceEmbedder(modelDirectory: folder)) { error in
            XCTAssertTrue((error as! MiniLMError).isModelMissing)
        }
    }

    func testNameIsLookedUpInModelsFolderAndPathIsUsedAsIs() throws {
        var model = TinyBertModel(hidden: 16, heads: 2, layers: 1, intermediate: 32, maxPositions: 8,
                                  maxSequenceLength: 8)
        let named = home.appendingPathComponent("models/tiny")
        try model.write(to: named)
        XCTAssertEqual(try ModelLocator.resolve("tiny").path, named.standardizedFileURL.path)

        let elsewhere = home.appendingPathComponent("elsewhere/tiny")
        try model.write(to: elsewhere)
        XCTAssertEqual(try ModelLocator.resolve(elsewhere.path).path, elsewhere.standardizedFileURL.path)
        XCTAssertThrowsError(try ModelLocator.resolve(home.appendingPathComponent("nowhere").path))
    }

    func testModelIdentityIsStableAndNamesTheFolder() throws {
        var model = TinyBertModel(hidden: 16, heads: 2, layers: 1, intermediate: 32, maxPositions: 8,
                                  maxSequenceLength: 8)
        let folder = home.appendingPathComponent("models/tiny")
        try model.write(to: folder)
        let first = try SentenceEmbedder(modelDirectory: folder).modelIdentity
        XCTAssertEqual(first, try SentenceEmbedder(modelDirectory: folder).modelIdentity)
        XCTAssertTrue(first.hasPrefix("tiny-"), first)
        model.seed = 99
        try model.write(to: folder)
        XCTAssertNotEqual(first, try SentenceEmbedder(modelDirectory: folder).modelIdentity)
    }
}
