/// The ordered list of stages. Everything that depends on the set of stages derives from a registry:
/// generations (positions), the store's `stages` rows and `after_<stage>` views (made at every open,
/// see `StageSchemaSQL`), the config hash chain, `--resume-from`'s choices, snapshot selection, the
/// summary, the settings file's keys. A store made with another list is reset when opened.
///
/// Adding a stage: a file with the stage and its `StageDefinition`, and one line in `standard`.
public struct StageRegistry: Sendable {
    /// The pipeline's stages, in order.
    public static let standard: StageRegistry = {
        do {
            return try StageRegistry([
                IngestStage.definition,
                SanitizeStage.definition,
                ChunkStage.definition,
                ValidateStage.definition,
                ExactDedupStage.definition,
                FuzzyDedupStage.definition,
                SemanticDedupStage.definition,
            ])
        } catch {
            fatalError("StageRegistry.standard: \(error)")
        }
    }()

    public let definitions: [StageDefinition]
    /// The stages' ids, in order: `ids[i].generation == i + 1`.
    public let ids: [StageID]

    /// Checks the list: unique names usable as SQL identifiers and file names, exactly one stage that
    /// reads the input and it first, stages resuming per batch checkpoint immediately, at most one
    /// stage rewrites texts.
    public init(_ definitions: [StageDefinition]) throws {
        func fail(_ message: String) -> StageRegistryError { StageRegistryError(message: message) }
        guard let first = definitions.first else { throw fail("no stages") }
        var seen = Set<String>()
        for definition in definitions {
            let name = definition.name
            let valid = name.utf8.first.map { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) } == true
                && name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
            guard valid, name.utf8.count <= 48 else {
                throw fail("stage name '\(name)': use 1 to 48 lowercase letters, digits and _, starting with a letter (it names a view and a file)")
            }
            guard !name.hasPrefix("after_"), name != "output" else {
                throw fail("stage name '\(name)' is reserved (after_<stage> names views; output is the summary's last line)")
            }
            guard seen.insert(name).inserted else { throw fail("two stages are named '\(name)'") }
        }
        guard first.readsInput, definitions.dropFirst().allSatisfy({ !$0.readsInput }) else {
            throw fail("the first stage, and only it, must read the input (\(first.name) is first)")
        }
        for definition in definitions where definition.resumesPerBatch && !definition.checkpointsImmediately {
            throw fail("stage \(definition.name) resumes per batch, so it must checkpoint immediately (no later stage may write while its batches are partial)")
        }
        let rewriters = definitions.filter(\.rewritesTexts).map(\.name)
        guard rewriters.count <= 1 else {
            throw fail("stages \(rewriters.joined(separator: ", ")) all rewrite texts; the store keeps the original and the latest text only, so one stage at most may")
        }
        self.definitions = definitions
        ids = definitions.enumerated().map { StageID(name: $0.element.name, generation: $0.offset + 1) }
    }

    /// This list with `definition` inserted right before the stage named `name`.
    public func inserting(_ definition: StageDefinition, before name: String) throws -> StageRegistry {
        guard let index = definitions.firstIndex(where: { $0.name == name }) else {
            throw StageRegistryError(message: "no stage named '\(name)' to insert \(definition.name) before")
        }
        var list = definitions
        list.insert(definition, at: index)
        return try StageRegistry(list)
    }

    /// The stage called `name` (or `after_<name>`, as checkpoints are named).
    public subscript(name: String) -> StageID? {
        let bare = name.hasPrefix("after_") ? String(name.dropFirst(6)) : name
        return ids.first { $0.name == bare }
    }

    public func id(generation: Int) -> StageID? {
        generation >= 1 && generation <= ids.count ? ids[generation - 1] : nil
    }

    /// Fails loudly on an id of another registry.
    public func definition(of id: StageID) -> StageDefinition {
        precondition(contains(id), "stage \(id.name) (generation \(id.generation)) is not in this registry")
        return definitions[id.generation - 1]
    }

    public func contains(_ id: StageID) -> Bool { self.id(generation: id.generation) == id }

    public var names: [String] { ids.map(\.name) }

    /// The stage that reads the input.
    public var source: StageID { ids[0] }

    /// The stage that rewrites texts, if any.
    var textRewriter: StageID? { zip(ids, definitions).first { $0.1.rewritesTexts }?.0 }

    /// Whether a stage up to `stage` (included) can have added rows.
    func mayHaveAddedRows(through stage: StageID) -> Bool {
        zip(ids, definitions).contains { $0.0 <= stage && $0.1.addsRows }
    }

    /// Whether a stage up to `stage` (included) can have rewritten texts.
    func mayHaveRewrittenTexts(through stage: StageID) -> Bool {
        textRewriter.map { $0 <= stage } ?? false
    }

    /// Every stage's option keys.
    public var optionKeys: [String] { definitions.flatMap(\.optionKeys) }
}

/// A stage list that breaks a rule of `StageRegistry`.
public struct StageRegistryError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "stage registry: \(message)" }
}
