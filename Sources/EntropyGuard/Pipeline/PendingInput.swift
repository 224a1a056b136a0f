import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The run's input, opened (`InputSource.open`: read to its end and hashed) on a worker thread while
/// the pipeline opens the store and `StoreConsistency` checks it, when both take time: the store
/// exists and the input is a file that does (or stdin). Each took ~0.05 s in a 10k-row append to 1M
/// rows (perf, main thread), a twelfth of the append's wall time; a full run reads the input again
/// at ingest anyway, so only the wait moves.
///
/// Otherwise (no store yet, no such input) the input is opened here, first: a missing input is
/// reported before any store is made or touched, as it always was.
final class PendingInput {
    private var opened: Result<InputSource, Error>?
    private let opening: Lookahead<InputSource>?

    init(options: PipelineOptions, spoolDirectory: String, prefixLength: Int64?, overlappingStore: Bool) throws {
        let open = {
            try InputSource.open(path: options.inputPath, spoolDirectory: spoolDirectory, rowGroups: options.parquetRowGroups,
                                 prefixLength: prefixLength)
        }
        var info = stat()
        if overlappingStore && (options.inputPath == "-" || stat(options.inputPath, &info) == 0) {
            let lookahead = Lookahead<InputSource>(label: "entropyguard.input.open")
            lookahead.start(open)
            opening = lookahead
        } else {
            opened = .success(try open())
            opening = nil
        }
    }

    /// The opened input (waits for the worker the first time); its error, if opening failed.
    func value() throws -> InputSource {
        if opened == nil { opened = Result { try opening!.wait() } }
        return try opened!.get()
    }

    /// Waits for the worker when the run ended before asking for the input (it may be writing
    /// stdin's spool file in the checkpoint directory).
    func drain() {
        if opened == nil { opening?.drain() }
    }
}
