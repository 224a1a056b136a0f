import Foundation

/// Semantic dedup against a large reference (`--reference`, IVF search): the reference's kept rows as
/// the selector needs them (IVF centroids trained on its kept vectors, each row filed under its
/// nearest centroid, as a bfloat16 copy), persisted in the reference's store (`reference_parts`) by the
/// first run against it and loaded by the next ones while the reference's identity and the model are
/// the same. Without it every run trained k-means on 50k reference vectors, read the ~1M vectors one
/// lookup each and ranked ~1000 centroids for each (15.9 s of a 21 s run against 200k rows); loading
/// reads ~1000 list blobs. The exact float32 vectors stay in the reference's embeddings: the selector
/// reads back only its candidates' (`ReferenceCorpus.readEmbeddings`), so its decisions are those of
/// the same vectors filed with `SemanticSelector.addKept`.
///
/// The centroids come from the reference's kept rows alone (their count sizes the lists), never from
/// the input, so the index holds for any input. A run's IVF decisions against the reference therefore
/// differ (near list borders only) from those of a run with centroids trained on reference + input;
/// exact search (small runs) is unaffected, and `SemanticDedupStage` uses the index only when the
/// reference is at least as large as the input.
///
/// Parts: 0 the header (dimension, kept rows, lists, the largest `CompactVector.pack` norms of the rows
/// and of their rounding errors, centroids); 1 the kept rows' ReferenceRow ids then their text hashes,
/// in the reference's row order (positions); 2 + l list l: its positions (ascending) then their
/// packed bfloat16 rows (`CompactVector.pairs` words each). Numbers little-endian. Every part is checked when read and
/// the parts' sizes against the header; a damaged set is reported and made again, never used.
enum ReferenceSemanticIndex {
    /// What the selector needs: the reference's kept rows by position.
    struct Rows {
        var ids: [Int64]
        /// 16 bytes per row, XXH3-128 of its text (the embeddings' key).
        var hashes: [UInt8]
    }

    /// Rows read, routed and packed per step of a build.
    static let buildBatch = 16_384

    /// The parts' name: what they are made with (a change makes them again).
    static func name(model: String, dimension: Int, probes: Int) -> String {
        "semantic;model=\(model);dimension=\(dimension);ivf=sqrt-kept,sample=50000,seed=5eed,probes=\(probes);bfloat16-packed;v2"
    }

    /// Fills `selector` (a fresh ivf one) with the reference's kept rows, from the persisted index, or
    /// from a new one built and persisted first (also when the persisted one is damaged). Returns the
    /// rows by position (the selector's ids `0..<keptCount`).
    static func fill(_ selector: inout SemanticSelector, reference: ReferenceCorpus, model: String,
                     progress: ProgressReporter) throws -> Rows {
        let fresh = selector
        let dimension = selector.dimension
        let name = Self.name(model: model, dimension: dimension, probes: selector.probeCount)
        let started = Date()
        switch try load(into: &selector, reference: reference, name: name, progress: progress) {
        case .some(let rows):
            progress.info("semantic_dedup: the reference's index (\(rows.ids.count) rows) loaded in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            return rows
        case .none:
            selector = fresh
        }
        let rows = try build(into: &selector, reference: reference, name: name, model: model)
        progress.info("semantic_dedup: the reference's index (\(rows.ids.count) rows) built and stored in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        return rows
    }

    // MARK: loading

    /// The rows, with `selector` filled, or nil when the parts are missing or made for another identity
    /// (nothing said) or damaged (a warning): then `selector` is to be thrown away.
    private static func load(into selector: inout SemanticSelector, reference: ReferenceCorpus, name: String,
                             progress: ProgressReporter) throws -> Rows? {
        let dimension = selector.dimension
        let pairs = CompactVector.pairs(dimension: dimension)
        var header: (kept: Int, lists: Int, norms: CompactVector.Norms, centroids: [Float])?
        var problem: String?
        func part<T>(_ index: Int, _ body: (inout ByteReader) throws -> T?) throws -> T? {
            try reference.withIndexPart(name: name, part: index) { found in
                switch found {
                case .missing: return nil
                case .damaged:
                    problem = "part \(index) fails its checksum"
                    return nil
                case .valid(let bytes):
                    var reader = ByteReader(bytes)
                    guard let value = try body(&reader) else {
                        problem = "part \(index) does not fit the header"
                        return nil
                    }
                    return value
                }
            }
        }
        header = try part(0) { reader in
            guard let d = reader.int(), d == dimension, let kept = reader.int(), kept == reference.keptCount,
                  let lists = reader.int(), lists > 0, let rounded = reader.float(), let error = reader.float(),
                  let centroids = reader.floats(lists * dimension), reader.atEnd
            else { return nil }
            return (kept, lists, CompactVector.Norms(rounded: rounded, error: error), centroids)
        }
        guard let header else { return warnIfDamaged(problem, progress: progress) }
        let rows: Rows? = try part(1) { reader in
            guard let ids = reader.int64s(header.kept), let hashes = reader.bytes(header.kept * 16), reader.atEnd else { return nil }
            return Rows(ids: ids, hashes: hashes)
        }
        guard let rows else { return warnIfDamaged(problem, progress: progress) }
        selector.start(centroids: CentroidSet(dimension: dimension, centroids: header.centroids))
        var filed = 0
        for list in 0..<header.lists {
            let count: Int? = try part(2 + list) { reader in
                let n = reader.remaining / (8 + 4 * pairs)
                guard let positions = reader.int64s(n), reader.remaining == n * 4 * pairs,
                      positions.allSatisfy({ $0 >= 0 && $0 < header.kept }), zip(positions, positions.dropFirst()).allSatisfy({ $0 < $1 })
                else { return nil }
                if n > 0 { reader.withRemaining { compact in
                    positions.withUnsafeBufferPointer {
                        selector.addKept(list: list, ids: $0, packed: compact.baseAddress!.assumingMemoryBound(to: UInt32.self), norms: header.norms)
                    }
                } }
                return n
            }
            guard let count else { return warnIfDamaged(problem ?? "part \(2 + list) is missing", progress: progress) }
            filed += count
            try Interrupt.check()
        }
        guard filed == header.kept else { return warnIfDamaged("its lists hold \(filed) rows, not \(header.kept)", progress: progress) }
        return rows
    }

    private static func warnIfDamaged(_ problem: String?, progress: ProgressReporter) -> Rows? {
        if let problem { progress.warn("semantic_dedup: the reference's persisted index is damaged (\(problem)); it is made again") }
        return nil
    }

    // MARK: building

    private static func build(into selector: inout SemanticSelector, reference: ReferenceCorpus, name: String, model: String) throws -> Rows {
        let dimension = selector.dimension
        var rows = Rows(ids: [], hashes: [])
        try reference.forEachKeptBatch(batchSize: buildBatch) { ids, hashes in
            rows.ids += ids
            for hash in hashes { rows.hashes += hash }
        }
        let kept = rows.ids.count
        func hashes(_ positions: some Sequence<Int>) -> [[UInt8]] { positions.map { Array(rows.hashes[($0 * 16)..<($0 * 16 + 16)]) } }
        func vectors(_ positions: [Int]) throws -> [Float] {
            try [Float](unsafeUninitializedCapacity: positions.count * dimension) { out, count in
                try reference.readEmbeddings(model: model, textHashes: hashes(positions), ids: positions.map { rows.ids[$0] },
                                             dimension: dimension, into: out.baseAddress!)
                count = positions.count * dimension
            }
        }
        // Trained as a selector of the reference's rows alone would be.
        var trainer = SemanticSelector(dimension: dimension, threshold: selector.threshold, mode: .ivf, expectedCount: kept)
        trainer.probeCount = selector.probeCount
        trainer.train(sample: try vectors(SemanticSelector.trainingSampleRows(total: kept)))
        let centroids = trainer.centroids!   // kept > 0 (the stage uses the index for references at least as large as the input)
        let probes = max(1, min(selector.probeCount, centroids.count))
        var positions = [[Int64]](repeating: [], count: centroids.count)
        let pairs = CompactVector.pairs(dimension: dimension)
        var packed = [[UInt32]](repeating: [], count: centroids.count)
        var norms = CompactVector.Norms()
        var start = 0
        while start < kept {
            try Interrupt.check()
            let end = min(start + buildBatch, kept)
            let batch = try vectors(Array(start..<end))
            batch.withUnsafeBufferPointer { v in
                let nearest = centroids.nearest(v.baseAddress!, rows: end - start, probes: probes)
                for i in 0..<(end - start) {
                    let list = Int(nearest[i * probes])
                    let vector = v.baseAddress! + i * dimension
                    positions[list].append(Int64(start + i))
                    let at = packed[list].count
                    packed[list].append(contentsOf: repeatElement(0, count: pairs))
                    let rowNorms = packed[list].withUnsafeMutableBufferPointer {
                        CompactVector.pack(vector, count: dimension, pairs: pairs, into: $0.baseAddress! + at, stride: 1)
                    }
                    norms.rounded = max(norms.rounded, rowNorms.rounded)
                    norms.error = max(norms.error, rowNorms.error)
                }
            }
            start = end
        }
        try reference.replaceIndexParts(name: name, count: 2 + centroids.count) { part in
            var bytes = ByteWriter()
            switch part {
            case 0:
                bytes.int(dimension); bytes.int(kept); bytes.int(centroids.count); bytes.float(norms.rounded); bytes.float(norms.error); bytes.floats(centroids.centroids)
            case 1:
                bytes.int64s(rows.ids); bytes.bytes(rows.hashes)
            default:
                bytes.int64s(positions[part - 2]); bytes.uint32s(packed[part - 2])
            }
            return bytes.data
        }
        selector.start(centroids: centroids)
        for list in 0..<centroids.count where !positions[list].isEmpty {
            positions[list].withUnsafeBufferPointer { ids in
                packed[list].withUnsafeBufferPointer { selector.addKept(list: list, ids: ids, packed: $0.baseAddress!, norms: norms) }
            }
            positions[list] = []
            packed[list] = []
        }
        return rows
    }
}

/// Little-endian numbers appended to bytes (the index's parts).
private struct ByteWriter {
    var data: [UInt8] = []
    mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { data += $0 } }
    mutating func float(_ value: Float) { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
    mutating func floats(_ values: [Float]) { values.withUnsafeBytes { data += $0 } }
    mutating func int64s(_ values: [Int64]) { values.withUnsafeBytes { data += $0 } }
    mutating func uint32s(_ values: [UInt32]) { values.withUnsafeBytes { data += $0 } }
    mutating func bytes(_ values: [UInt8]) { data += values }
}

/// Reads what ByteWriter wrote; nil when too few bytes are left.
private struct ByteReader {
    private let buffer: UnsafeRawBufferPointer
    private var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }
    var atEnd: Bool { remaining == 0 }

    private mutating func take(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= remaining else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    mutating func int() -> Int? { take(8).map { Int(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) } }
    mutating func float() -> Float? { take(4).map { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) } }
    mutating func floats(_ count: Int) -> [Float]? {
        take(count * 4).map { bytes in (0..<count).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
    }
    mutating func int64s(_ count: Int) -> [Int64]? {
        take(count * 8).map { bytes in (0..<count).map { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) } }
    }
    mutating func bytes(_ count: Int) -> [UInt8]? { take(count).map { Array($0) } }
    /// The bytes not read yet, 2-aligned for bfloat16 (copied when the blob is not).
    func withRemaining(_ body: (UnsafeRawBufferPointer) -> Void) {
        let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
        if Int(bitPattern: rest.baseAddress) % 2 == 0 { return body(rest) }
        let copy = [UInt8](rest)
        copy.withUnsafeBytes(body)
    }
}
