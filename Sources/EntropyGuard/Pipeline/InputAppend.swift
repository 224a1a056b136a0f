import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Append: an input that grew (a log or an export with records added at the end) keeps every stage's
/// decisions for the rows the store holds, and the run reads and decides only the new rows.
///
/// An input is taken as grown when it starts with exactly the bytes of the input the store holds: the
/// store recorded that input's length and XXH3-128 at ingest (meta `ingest.input_length`,
/// `ingest.input_hash`), and the XXH3-128 of the new input's first `length` bytes must be that hash.
/// Besides, the old input must end at a record boundary (its last byte a newline, where its ingest
/// stopped), its run must be complete (every stage's checkpoint, made with this run's settings) and
/// must have made no chunks (chunk rows are numbered after the input rows, so new input rows could not
/// take the numbers a full run gives them). Anything else (an input changed, cut short, or grown inside
/// its last record; other settings) reruns everything as before. JSONL and CSV only (a CSV header is
/// part of the prefix); a Parquet file cannot grow by appending bytes (its footer is at its end), so a
/// changed one, or a changed set of files, reruns everything. Not with --reference, --global-drops,
/// --resume-from or --stop-after (those rerun everything too).
///
/// Why the new rows' decisions are those of a full run over the grown input: the stages decide rows
/// in input order, and the old rows come first. Sanitize, chunk and validate decide each row alone.
/// The dedup stages keep the first row and never chain, so a row's verdict depends only on the rows
/// before it: each reads again, in order, the rows alive before it (old rows dropped by it or a later
/// stage included, as in a full run), and writes the verdicts of the new rows only. Exact and fuzzy
/// dedup need not read the old rows: each kept in the store what a later row is decided against
/// (`append_lookups`, `AppendLookup`: exact dedup's first row of each key, fuzzy dedup's band keys of
/// the rows it kept), written with its drops, and looks only the new rows up there (reading the old
/// rows when it is missing: a store made before it); semantic dedup's vectors of the old rows come
/// from the store. Semantic
/// dedup's IVF search is the exception: its centroids are trained on a sample spread over all rows and
/// its lists are sized by their count, so its verdicts on old rows can change when rows are added.
/// When the grown input's semantic search is IVF (`--search ivf`, or `auto` from
/// `SemanticSelector.autoExactLimit` rows), the append ends before semantic dedup, which then runs over
/// all rows as in a full run (its embeddings are in the store); with the exact search it appends.
///
/// The files (output, audit log, snapshots) keep the previous files' bytes for the old rows when those
/// files are verified to be what the store's previous run wrote: `OutputPrefix`, `ParquetFilePrefix`.
///
/// Crash safety: starting an append is one transaction (`WorkingStore.beginAppend`: the new input's
/// hash and length, the marker `append.first_row`, the old checkpoints removed). Ingest then continues
/// from the old input's end a batch per transaction, and each stage commits its checkpoint for the
/// grown input. A killed append resumes like any run (its new rows rewound, the old ones untouched);
/// the last stage's commit removes the marker. An append in progress whose input or settings changed
/// since is dropped: the store is reset and everything reruns.
enum InputAppend {
    /// The store's meta keys of an append in progress.
    static let metaPrefix = "append."

    /// The append this run can start: the first new row (the old rows' count) and the old input's length.
    static func detect(store: WorkingStore, input: InputSource, options: PipelineOptions, lastStage: StageID,
                       lastConfigHash: String) throws -> (append: WorkingStore.AppendInProgress, oldLength: Int64)? {
        guard !input.isParquet, options.autoResume || options.resume, options.resumeFrom == nil, options.stopAfter == nil,
              options.referencePath == nil, options.globalDropsPath == nil else { return nil }
        guard try store.appendInProgress() == nil,
              let oldHash = try store.meta("ingest.input_hash"), oldHash != input.hash.hex,
              let oldLength = try store.meta("ingest.input_length").flatMap(Int64.init), oldLength > 0, oldLength < input.byteCount,
              try store.meta("ingest.offset").flatMap(Int64.init) == oldLength,
              let firstRow = try store.meta("ingest.next_row").flatMap(Int64.init),
              try store.stageInProgress() == nil,
              let last = try store.checkpoints().last, last.stage == lastStage, last.inputHash == oldHash,
              last.configHash == lastConfigHash,
              !(try store.hasChunks()) else { return nil }
        guard try prefix(of: input, length: oldLength) == oldHash else { return nil }
        return (WorkingStore.AppendInProgress(firstRow: firstRow, configHash: lastConfigHash), oldLength)
    }

    /// The XXH3-128 (hex) of the input's first `length` bytes, nil unless its last one is a newline
    /// (the old input ended at a record boundary). The hash is the one `InputSource.open` made in its
    /// read of the whole input when it was asked for this length (`recordedInputLength`); the prefix
    /// is read again only when it was not (the store's length was not known then).
    private static func prefix(of input: InputSource, length: Int64) throws -> String? {
        let fd = try input.openForReading()
        defer { close(fd) }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, off_t(length - 1)) == 1, last == UInt8(ascii: "\n") else { return nil }
        if let prefix = input.prefixHash, prefix.length == length { return prefix.hash.hex }
        let hasher = XXH3Stream128()
        let blockSize = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < length {
            let n = pread(fd, buffer.baseAddress, Int(min(Int64(blockSize), length - offset)), off_t(offset))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw EntropyGuardError(.ioError, "\(input.recordPath): read failed: \(n < 0 ? String(cString: strerror(errno)) : "the file got shorter")")
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += Int64(n)
        }
        return hasher.digest().hex
    }
}
