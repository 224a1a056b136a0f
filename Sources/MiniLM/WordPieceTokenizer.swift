import Foundation

/// BERT WordPiece tokenization exactly as `BertTokenizerFast` does it for uncased BERT models:
/// special-token literals are atomic, the rest is normalized, split and matched greedily
/// (longest prefix first, `##` continuations), words over 100 scalars become `[UNK]`.
///
/// It works on the text's UTF-8 bytes. ASCII goes through 128-entry tables (class, lowercase,
/// punctuation id) into one word buffer on the stack; WordPiece candidates are hashed in that buffer
/// (``WordPieceVocabulary``), so a text costs no allocation at all with ``encode(_:into:maxLength:addSpecialTokens:)``.
/// Non-ASCII stretches take the scalar path of ``BertTextNormalizer`` (a precomputed table for the
/// common scalars, Foundation's NFD for the rest), fed into the same word buffer. Token for token it
/// equals the scalar-based tokenizer it replaced (WordPieceDifferentialTests).
/// Safe to share between threads: all scratch lives on the calling thread's stack.
public struct WordPieceTokenizer: Sendable {
    /// Largest number of ids `encode` returns, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// Token ids by the token's UTF-8 bytes, as the Rust tokenizer looks them up. A `[String: Int32]`
    /// would match by canonical equivalence: "cafe\u{301}" would find a "caf\u{E9}" entry that
    /// `BertTokenizerFast` does not (with stripAccents off, nothing normalizes the text first).
    let vocabulary: [[UInt8]: Int32]
    let normalizer: BertTextNormalizer
    /// Id of `[CLS]`, which `encode` puts first.
    public let clsID: Int32
    /// Id of `[SEP]`, which `encode` puts last.
    public let sepID: Int32
    /// Id of `[UNK]`: a word with no WordPiece split, or longer than 100 scalars.
    public let unknownID: Int32
    /// Special-token literals matched in raw text (ASCII, so matched as bytes); none is a prefix of
    /// another, so at most one matches at a position.
    let specialTokens: [(bytes: [UInt8], id: Int32)]
    let table: WordPieceVocabulary
    let scalarTable: BertScalarTable
    /// Per ASCII byte: `ByteClass` raw value.
    let asciiClass: [UInt8]
    /// Per ASCII byte: the byte a word gets (lowercased when `lowercase`).
    let asciiWordByte: [UInt8]
    /// Per ASCII punctuation byte: its id as a one-byte word (`[UNK]` when the vocabulary lacks it).
    let asciiPunctuationID: [Int32]
    static let maxWordScalars = 100
    /// 100 scalars of at most 4 bytes: words are kept on the stack while they can still match.
    static let wordBufferBytes = 4 * maxWordScalars

    enum ByteClass: UInt8 {
        case word = 0, whitespace, dropped, punctuation
    }

    /// Loads `vocab.txt` (one token per line, id = line number).
    /// - Parameters:
    ///   - lowercase: lowercase and strip accents (uncased models).
    ///   - maxLength: truncation length including `[CLS]` and `[SEP]` (at least 2).
    public init(vocabularyURL: URL, lowercase: Bool, maxLength: Int) throws {
        try self.init(vocabularyURL: vocabularyURL, lowercase: lowercase, stripAccents: lowercase,
                      maxLength: maxLength)
    }

    init(vocabularyURL: URL, lowercase: Bool, stripAccents: Bool, maxLength: Int) throws {
        guard let text = try? String(contentsOf: vocabularyURL, encoding: .utf8) else {
            throw MiniLMError.missing(vocabularyURL.deletingLastPathComponent(), detail: "cannot read vocab.txt")
        }
        var vocabulary: [[UInt8]: Int32] = [:]
        // Lines by bytes: splitting the String would split on Characters, and "\r\n" is one Character.
        var lines = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        vocabulary.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            let token = Array(line.last == 0x0D ? line.dropLast() : line)
            if vocabulary[token] == nil { vocabulary[token] = Int32(index) }
        }
        func id(_ token: String) throws -> Int32 {
            guard let value = vocabulary[Array(token.utf8)] else {
                throw MiniLMError.invalid(vocabularyURL, "vocabulary lacks \(token)")
            }
            return value
        }
        self.vocabulary = vocabulary
        self.clsID = try id("[CLS]")
        self.sepID = try id("[SEP]")
        self.unknownID = try id("[UNK]")
        self.specialTokens = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]"].compactMap { token in
            vocabulary[Array(token.utf8)].map { (Array(token.utf8), $0) }
        }
        let normalizer = BertTextNormalizer(lowercase: lowercase, stripAccents: stripAccents)
        self.normalizer = normalizer
        self.maxLength = max(2, maxLength)
        var tokens = [[UInt8]](repeating: [], count: lines.count)
        for (token, id) in vocabulary { tokens[Int(id)] = token }
        self.table = WordPieceVocabulary(tokens: tokens)
        self.scalarTable = BertScalarTable(normalizer: normalizer)
        // The byte tables are the scalar rules applied to each ASCII scalar, so they cannot drift apart.
        var asciiClass = [UInt8](repeating: 0, count: 128)
        var asciiWordByte = [UInt8](repeating: 0, count: 128)
        var asciiPunctuationID = [Int32](repeating: -1, count: 128)
        for byte in 0..<UInt8(128) {
            let scalar = Unicode.Scalar(byte)
            let byteClass: ByteClass
            if byte == 0 || BertTextNormalizer.isControl(scalar) { byteClass = .dropped }
            else if BertTextNormalizer.isWhitespace(scalar) { byteClass = .whitespace }
            else if BertTextNormalizer.isPunctuation(scalar) { byteClass = .punctuation }
            else { byteClass = .word }
            asciiClass[Int(byte)] = byteClass.rawValue
            asciiWordByte[Int(byte)] = lowercase && (65...90).contains(byte) ? byte + 32 : byte
            asciiPunctuationID[Int(byte)] = vocabulary[[byte]] ?? unknownID
        }
        self.asciiClass = asciiClass
        self.asciiWordByte = asciiWordByte
        self.asciiPunctuationID = asciiPunctuationID
    }

    /// Token ids of `text`: `[CLS]`, at most `maxLength - 2` word pieces, `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        encode(text, into: &ids)
        return ids
    }

    /// The allocation-free entry point: replaces `ids`' contents with the token ids of `text`, keeping
    /// its capacity (reuse one array per thread and nothing is allocated once it has grown).
    /// - Parameters:
    ///   - maxLength: most ids written, `[CLS]` and `[SEP]` included when added; default ``maxLength``.
    ///     Longer texts are truncated, and only their beginning is tokenized.
    ///   - addSpecialTokens: frame the ids with `[CLS]` … `[SEP]` (as ``encode(_:)`` does). Without
    ///     them, the word pieces alone, as a static model averages them (`add_special_tokens=False`);
    ///     special-token literals written in the text, such as "[MASK]", still map to their ids.
    public func encode<Text: StringProtocol>(_ text: Text, into ids: inout [Int32], maxLength: Int? = nil,
                                             addSpecialTokens: Bool = true) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            encode(utf8: bytes, into: &ids, maxLength: maxLength, addSpecialTokens: addSpecialTokens)
        }
        if done == nil {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer {
                encode(utf8: $0, into: &ids, maxLength: maxLength, addSpecialTokens: addSpecialTokens)
            }
        }
    }

    /// ``encode(_:into:maxLength:addSpecialTokens:)`` on UTF-8 bytes, such as a slice of a read buffer.
    /// An invalid sequence reads as U+FFFD, which BERT's clean-up drops: the ids of
    /// `String(decoding: text, as: UTF8.self)`.
    public func encode(utf8 text: UnsafeBufferPointer<UInt8>, into ids: inout [Int32], maxLength: Int? = nil,
                       addSpecialTokens: Bool = true) {
        let limit = max(addSpecialTokens ? 2 : 0, maxLength ?? self.maxLength)
        ids.removeAll(keepingCapacity: true)
        ids.reserveCapacity(min(limit, text.count + 2))   // a hint only: maxLength may be Int.max
        if addSpecialTokens { ids.append(clsID) }
        let capacity = addSpecialTokens ? limit - 1 : limit
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.wordBufferBytes + WordPieceVocabulary.readPadding) { wordBuffer in
            wordBuffer.initialize(repeating: 0)   // lookups load 8 bytes at a time, masked
            let longest = max(table.maxWordLength, table.maxContinuationLength, 1)
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: longest) { hashes in
                var scan = Scan(word: wordBuffer.baseAddress!, hashes: hashes.baseAddress!, capacity: capacity)
                swap(&scan.ids, &ids)
                scanText(text, &scan)
                swap(&scan.ids, &ids)
            }
        }
        if addSpecialTokens { ids.append(sepID) }
    }

    /// The state of one `encode`: the word being built and the ids so far.
    struct Scan {
        let word: UnsafeMutablePointer<UInt8>
        let hashes: UnsafeMutablePointer<UInt64>
        /// Index in `ids` past which no id is written (the budget's end).
        let capacity: Int
        var ids: [Int32] = []
        /// Bytes of the current word in `word` (only while it has at most 100 scalars).
        var wordBytes = 0
        var wordScalars = 0

        init(word: UnsafeMutablePointer<UInt8>, hashes: UnsafeMutablePointer<UInt64>, capacity: Int) {
            self.word = word
            self.hashes = hashes
            self.capacity = capacity
        }

        var isFull: Bool { ids.count >= capacity }

        @inline(__always)
        mutating func append(_ id: Int32) {
            if ids.count < capacity { ids.append(id) }
        }

        mutating func appendWordScalar(_ scalar: Unicode.Scalar) {
            wordScalars += 1
            if wordScalars <= WordPieceTokenizer.maxWordScalars {
                UTF8.encode(scalar) { word[wordBytes] = $0; wordBytes += 1 }
            }
        }
    }

    /// Once the ids are full the rest of the text is not looked at: a huge document costs no more than
    /// its first few hundred words. (The ids of a text are the first ids of any longer text starting
    /// with it, so stopping early changes nothing.)
    private func scanText(_ text: UnsafeBufferPointer<UInt8>, _ scan: inout Scan) {
        let count = text.count
        guard count > 0 else { return }
        let bytes = text.baseAddress!
        asciiClass.withUnsafeBufferPointer { asciiClass in
        asciiWordByte.withUnsafeBufferPointer { asciiWordByte in
            var position = 0
            while position < count && !scan.isFull {
                let byte = bytes[position]
                if byte >= 0x80 {
                    position = scanNonASCII(bytes, from: position, count: count, &scan)
                    continue
                }
                switch asciiClass[Int(byte)] {
                case ByteClass.word.rawValue:
                    // The run of word bytes in a tight loop, with the counters in registers.
                    var wordBytes = scan.wordBytes
                    var wordScalars = scan.wordScalars
                    repeat {
                        let byte = bytes[position]
                        if byte >= 0x80 || asciiClass[Int(byte)] != ByteClass.word.rawValue { break }
                        wordScalars += 1
                        if wordScalars <= Self.maxWordScalars { scan.word[wordBytes] = asciiWordByte[Int(byte)]; wordBytes += 1 }
                        position += 1
                    } while position < count
                    scan.wordBytes = wordBytes
                    scan.wordScalars = wordScalars
                    continue
                case ByteClass.whitespace.rawValue:
                    flushWord(&scan)
                case ByteClass.punctuation.rawValue:
                    flushWord(&scan)
                    if byte == 0x5B, let special = specialToken(bytes, at: position, count: count) {
                        scan.append(special.id)
                        position += special.length
                        continue
                    }
                    scan.append(asciiPunctuationID[Int(byte)])
                default:
                    break   // a control character: dropped, the word goes on ("hel\u{7}lo" is "hello")
                }
                position += 1
            }
        }
        }
        flushWord(&scan)
    }

    private func specialToken(_ bytes: UnsafePointer<UInt8>, at position: Int, count: Int) -> (id: Int32, length: Int)? {
        for token in specialTokens where position + token.bytes.count <= count {
            if token.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes + position, $0.count) == 0 }) {
                return (token.id, token.bytes.count)
            }
        }
        return nil
    }

    /// Normalizes the non-ASCII stretch starting at `start` and feeds its scalars to the words; returns
    /// where the stretch ends. A stretch runs to the next ASCII scalar that survives the clean-up:
    /// NFD reorders combining marks across dropped control characters, never across a starter.
    private func scanNonASCII(_ bytes: UnsafePointer<UInt8>, from start: Int, count: Int, _ scan: inout Scan) -> Int {
        var end = start
        var simple = true
        asciiClass.withUnsafeBufferPointer { asciiClass in
            while end < count {
                let byte = bytes[end]
                if byte < 0x80 {
                    if asciiClass[Int(byte)] != ByteClass.dropped.rawValue { break }
                    end += 1
                    continue
                }
                // A long stretch (CJK text has no ASCII) is cut before an ideograph, Hangul syllable
                // or space, all starters kept by the clean-up: a huge text is normalized only as far
                // as its ids need.
                if end - start >= Self.stretchBytes && Self.startsStarter(bytes + end, count - end) { break }
                // Two-byte scalars and U+2000–U+206F (three bytes) may be in the table; all else is not.
                var value: UInt32 = 0
                var length = 0
                if byte >= 0xC2 && byte <= 0xDF && end + 1 < count && bytes[end + 1] & 0xC0 == 0x80 {
                    value = UInt32(byte & 0x1F) << 6 | UInt32(bytes[end + 1] & 0x3F)
                    length = 2
                } else if byte == 0xE2 && end + 2 < count && bytes[end + 1] & 0xC0 == 0x80
                            && bytes[end + 2] & 0xC0 == 0x80 {
                    value = 0x2000 | UInt32(bytes[end + 1] & 0x3F) << 6 | UInt32(bytes[end + 2] & 0x3F)
                    length = 3
                }
                if simple, length > 0, let index = BertScalarTable.index(value), scalarTable.entry(index).simple {
                    end += length
                    continue
                }
                simple = false
                end += 1
                while end < count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            }
        }
        if simple {
            var position = start
            while position < end {
                let byte = bytes[position]
                if byte < 0x80 { position += 1; continue }   // a dropped control character
                let length = byte >= 0xE0 ? 3 : 2
                let value = length == 2 ? UInt32(byte & 0x1F) << 6 | UInt32(bytes[position + 1] & 0x3F)
                    : 0x2000 | UInt32(bytes[position + 1] & 0x3F) << 6 | UInt32(bytes[position + 2] & 0x3F)
                for scalar in scalarTable.output(scalarTable.entry(BertScalarTable.index(value)!)) {
                    feed(scalar, &scan)
                }
                position += length
            }
        } else {
            let text = String(decoding: UnsafeBufferPointer(start: bytes + start, count: end - start), as: UTF8.self)
            for scalar in normalizer.normalized(text[...].unicodeScalars) { feed(scalar, &scan) }
        }
        return end
    }

    /// Bytes of non-ASCII text after which a stretch is cut at the next `startsStarter` scalar.
    static let stretchBytes = 1024

    /// Whether the scalar at `bytes` is a CJK ideograph, a Hangul syllable or a Unicode space: NFD
    /// never reorders across it and the clean-up keeps it, so a stretch may end before it.
    static func startsStarter(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let lead = bytes[0]
        let value: UInt32
        if lead >= 0xE0 && lead < 0xF0 && count >= 3 && bytes[1] & 0xC0 == 0x80 && bytes[2] & 0xC0 == 0x80 {
            value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[1] & 0x3F) << 6 | UInt32(bytes[2] & 0x3F)
        } else if lead >= 0xC2 && lead < 0xE0 && count >= 2 && bytes[1] & 0xC0 == 0x80 {
            value = UInt32(lead & 0x1F) << 6 | UInt32(bytes[1] & 0x3F)
        } else {
            return false
        }
        switch value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3: return true
        default:
            guard let scalar = Unicode.Scalar(value) else { return false }
            return BertTextNormalizer.isWhitespace(scalar) && !BertTextNormalizer.isControl(scalar)
        }
    }

    /// One normalized scalar into the word split (`BertTextNormalizer.split`, a scalar at a time).
    private func feed(_ scalar: Unicode.Scalar, _ scan: inout Scan) {
        if scalar == " " || BertTextNormalizer.isWhitespace(scalar) {
            flushWord(&scan)
        } else if BertTextNormalizer.isPunctuation(scalar) {
            flushWord(&scan)
            if scalar.isASCII { scan.append(asciiPunctuationID[Int(scalar.value)]); return }
            scan.appendWordScalar(scalar)
            flushWord(&scan)
        } else {
            scan.appendWordScalar(scalar)
        }
    }

    /// The current word's word pieces: greedy longest-match-first WordPiece on the word buffer; a word
    /// with an unmatchable remainder, or over 100 scalars, is one `[UNK]`.
    @inline(__always)
    private func flushWord(_ scan: inout Scan) {
        guard scan.wordScalars > 0 else { return }
        defer { scan.wordBytes = 0; scan.wordScalars = 0 }
        if scan.wordScalars > Self.maxWordScalars { scan.append(unknownID); return }
        let word = scan.word
        let length = scan.wordBytes
        let mark = scan.ids.count
        var start = 0
        while start < length {
            let continuation = start > 0
            let longest = min(length - start, continuation ? table.maxContinuationLength : table.maxWordLength)
            // Every candidate's hash in one pass: FNV-1a of a prefix extends the shorter prefix's.
            var hash = continuation ? WordPieceVocabulary.continuationSeed : WordPieceVocabulary.wordSeed
            for offset in 0..<longest {
                hash = (hash ^ UInt64(word[start + offset])) &* WordPieceVocabulary.prime
                scan.hashes[offset] = hash
            }
            var matched = 0
            var candidate = longest
            while candidate > 0 {
                let end = start + candidate
                // Candidates end on scalar boundaries, as the scalar tokenizer's did.
                if end == length || word[end] & 0xC0 != 0x80 {
                    let id = table.find(word + start, candidate, hash: scan.hashes[candidate - 1],
                                        continuation: continuation)
                    if id >= 0 { scan.append(id); matched = candidate; break }
                }
                candidate -= 1
            }
            if matched == 0 {
                if scan.ids.count > mark { scan.ids.removeLast(scan.ids.count - mark) }
                scan.append(unknownID)
                return
            }
            start += matched
        }
    }
}
