import Foundation

/// `run --global-drops FILE`: a dedup stage whose decisions were made elsewhere (a cluster job over
/// many shards, python/entropyguard_ray) replaces the stage's own search. It drops the rows the file
/// lists for it, with their reason, duplicate_of (a row of this store, or none when the row it
/// duplicates is in another shard) and similarity, so the output, the audit log, checkpoints and
/// resume work as in a normal run. The file's digest is its setting: other drops redo the stage.
struct GlobalDropsStage: PipelineStage {
    let drops: [GlobalDropList.Drop]
    let fileDigest: String

    var settings: String { "global-drops;xxh3-128=\(fileDigest);v1" }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        try store.transaction {
            for drop in drops {
                try store.drop(row: drop.row, by: context.stage, reason: drop.reason, duplicateOf: drop.duplicateOf,
                               similarity: drop.similarity)
            }
        }
        return StageReport()
    }
}

/// The drops file: one line per dropped row, tab-separated: row id, stage name, reason, duplicate_of
/// (a row id, or `-`), similarity (or `-`). Written by the cluster job, read whole (one entry per
/// dropped row of one shard).
struct GlobalDropList {
    struct Drop {
        var row: Int64
        var stage: String
        var reason: String
        var duplicateOf: Int64?
        var similarity: Double?
    }

    let drops: [Drop]
    let digest: String

    init(path: String, stages: StageRegistry) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EntropyGuardError(.noInput, "--global-drops \(path): cannot read the file")
        }
        digest = data.withUnsafeBytes { XXH3.hash128(Array($0)).hex }
        var drops: [Drop] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func fail(_ problem: String) -> EntropyGuardError {
                EntropyGuardError(.dataError, "--global-drops \(path): line \(index + 1): \(problem)")
            }
            guard fields.count == 5 else { throw fail("expected 5 tab-separated fields, found \(fields.count)") }
            guard let row = Int64(fields[0]), row >= 0 else { throw fail("row id '\(fields[0])' is not a row id") }
            guard let stage = stages[fields[1]], stages.definition(of: stage).removesDuplicates else {
                throw fail("'\(fields[1])' is not a stage that removes duplicates")
            }
            guard !fields[2].isEmpty else { throw fail("empty reason") }
            let duplicateOf = fields[3] == "-" ? nil : Int64(fields[3])
            guard fields[3] == "-" || duplicateOf != nil else { throw fail("duplicate_of '\(fields[3])' is neither a row id nor -") }
            let similarity = fields[4] == "-" ? nil : Double(fields[4])
            guard fields[4] == "-" || similarity != nil else { throw fail("similarity '\(fields[4])' is neither a number nor -") }
            drops.append(Drop(row: row, stage: stage.name, reason: fields[2], duplicateOf: duplicateOf, similarity: similarity))
        }
        self.drops = drops
    }

    /// The stage replacing `name`'s own search.
    func stage(named name: String) -> GlobalDropsStage {
        GlobalDropsStage(drops: drops.filter { $0.stage == name }, fileDigest: digest)
    }
}
