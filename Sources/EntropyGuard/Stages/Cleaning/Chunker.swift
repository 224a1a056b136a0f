/// Splits long texts into chunks for embedding/RAG, recursively on a list of separators.
///
/// Sizes are in Unicode scalars ("code points"). Each chunk is a contiguous slice of the input (separators
/// are kept, nothing is trimmed or rewritten), so the chunks concatenated with their overlaps removed give
/// back the text — except whitespace-only stretches that would form a blank chunk, which are skipped.
///
/// Splitting: the text is cut after each occurrence of the first separator that occurs in it; any piece
/// still longer than `size` is cut with the next separator, down to single characters. Pieces are then
/// packed greedily into chunks of at most `size`. Each chunk after the first starts with up to `overlap`
/// scalars from the end of the previous one; the overlap begins at a word boundary (after whitespace),
/// and is shortened (possibly to nothing) when it would push the chunk over `size` or when no word
/// boundary lies inside the window.
public struct Chunker: Sendable {
    /// "\n\n", "\n", ". ", "! ", "? ", " " — each a level of its own, tried in this order; characters are
    /// always the last resort.
    public static let defaultSeparators = ["\n\n", "\n", ". ", "! ", "? ", " "]
    /// Scalars of overlap unless told otherwise.
    public static let defaultOverlap = 50

    /// Maximum chunk length in Unicode scalars.
    public let size: Int
    /// Maximum number of scalars a chunk repeats from the end of the previous one.
    public let overlap: Int
    /// Split levels, coarsest first (empty strings are ignored).
    public let separators: [String]
    private let separatorScalars: [[Unicode.Scalar]]

    /// Invalid arguments are a programming error here (precondition): validate user input first with
    /// `Chunker.validate(size:overlap:)`, which throws a readable `ChunkerError`.
    public init(size: Int, overlap: Int = Chunker.defaultOverlap, separators: [String] = Chunker.defaultSeparators) {
        precondition(size > 0, "Chunker size must be > 0")
        precondition(overlap >= 0 && overlap < size, "Chunker overlap must be >= 0 and < size")
        self.size = size
        self.overlap = overlap
        self.separators = separators
        self.separatorScalars = separators.map { Array($0.unicodeScalars) }.filter { !$0.isEmpty }
    }

    /// Throws unless `size > 0` and `0 <= overlap < size`.
    public static func validate(size: Int, overlap: Int) throws {
        if size <= 0 { throw ChunkerError(message: "chunk size must be greater than 0 (got \(size))") }
        if overlap < 0 { throw ChunkerError(message: "chunk overlap must not be negative (got \(overlap))") }
        if overlap >= size {
            throw ChunkerError(message: "chunk overlap (\(overlap)) must be smaller than chunk size (\(size))")
        }
    }

    /// The chunks of `text`, in order. Blank text gives no chunk; a text of at most `size` scalars that is
    /// not blank gives exactly one chunk, equal to the text.
    public func chunks(of text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return chunkRanges(scalars).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    /// The chunks as ranges of scalar offsets into `text.unicodeScalars`, in order.
    public func chunkRanges(of text: String) -> [Range<Int>] {
        chunkRanges(Array(text.unicodeScalars))
    }

    func chunkRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        guard !scalars.isEmpty else { return [] }
        var pieces: [Range<Int>] = []
        split(scalars, 0..<scalars.count, level: 0, into: &pieces)
        return merge(pieces, scalars)
    }

    /// Appends to `pieces` contiguous ranges covering `range`, each at most `size` long.
    private func split(_ s: [Unicode.Scalar], _ range: Range<Int>, level: Int, into pieces: inout [Range<Int>]) {
        if range.count <= size {
            pieces.append(range)
            return
        }
        var level = level
        while level < separatorScalars.count {
            let cuts = cutPoints(s, range, separatorScalars[level])
            if !cuts.isEmpty {
                var start = range.lowerBound
                for cut in cuts + [range.upperBound] where cut > start {
                    split(s, start..<cut, level: level + 1, into: &pieces)
                    start = cut
                }
                return
            }
            level += 1
        }
        // Last resort: fixed windows of single characters' worth, packed later.
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + size, range.upperBound)
            pieces.append(start..<end)
            start = end
        }
    }

    /// Offsets just after each occurrence of `separator` inside `range` (excluding the range end).
    private func cutPoints(_ s: [Unicode.Scalar], _ range: Range<Int>, _ separator: [Unicode.Scalar]) -> [Int] {
        var cuts: [Int] = []
        let first = separator[0]
        var i = range.lowerBound
        let last = range.upperBound - separator.count
        while i <= last {
            if s[i] == first && (separator.count == 1 || s[(i + 1)..<(i + separator.count)].elementsEqual(separator[1...])) {
                i += separator.count
                if i < range.upperBound { cuts.append(i) }
            } else {
                i += 1
            }
        }
        return cuts
    }

    /// Packs pieces into chunks with overlap; drops blank chunks.
    private func merge(_ pieces: [Range<Int>], _ s: [Unicode.Scalar]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var chunkStart = pieces[0].lowerBound
        var chunkEnd = chunkStart
        for piece in pieces {
            if piece.upperBound - chunkStart <= size {
                chunkEnd = piece.upperBound
                continue
            }
            emit(chunkStart..<chunkEnd, s, into: &chunks)
            chunkStart = overlapStart(previous: chunkStart..<chunkEnd, nextEnd: piece.upperBound, s)
            chunkEnd = piece.upperBound
        }
        emit(chunkStart..<chunkEnd, s, into: &chunks)
        return chunks
    }

    private func emit(_ range: Range<Int>, _ s: [Unicode.Scalar], into chunks: inout [Range<Int>]) {
        guard !range.isEmpty, s[range].contains(where: { !$0.properties.isWhitespace }) else { return }
        chunks.append(range)
    }

    /// Where the chunk after `previous` starts: the earliest word start in the last `overlap` scalars of
    /// `previous` that keeps the new chunk (ending at `nextEnd`) within `size`; else `previous.upperBound`.
    private func overlapStart(previous: Range<Int>, nextEnd: Int, _ s: [Unicode.Scalar]) -> Int {
        let end = previous.upperBound
        guard overlap > 0 else { return end }
        let lowest = max(previous.lowerBound + 1, end - overlap, nextEnd - size)
        var i = lowest
        while i < end {
            if !s[i].properties.isWhitespace && s[i - 1].properties.isWhitespace { return i }
            i += 1
        }
        return end
    }

    /// Parses a comma-separated CLI value into separators. Escapes: "\n", "\t", "\r", "\\" and "\," (a
    /// literal comma). Empty entries are dropped; entries are not trimmed, so " " is the space separator.
    public static func parseSeparators(_ arg: String) -> [String] {
        var result: [String] = []
        var current = ""
        var iterator = arg.makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                switch iterator.next() {
                case "n": current.append("\n")
                case "t": current.append("\t")
                case "r": current.append("\r")
                case ",": current.append(",")
                case "\\": current.append("\\")
                case let other?: current.append("\\"); current.append(other)
                case nil: current.append("\\")
                }
            } else if c == "," {
                if !current.isEmpty { result.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}

/// A rejected chunk size/overlap, with a message fit for the command line.
public struct ChunkerError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the arguments.
    public let message: String
    public var description: String { message }
}
