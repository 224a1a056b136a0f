import Foundation

/// The tokens of a `vocab.txt` by id (line number), for code that needs the tokens themselves rather
/// than the tokenizer: the distillation (which tokens to run, which to leave out) and the static
/// embedder (the ids of `[CLS]`, `[SEP]` and `[UNK]`).
struct VocabularyFile {
    let url: URL
    /// Token text by id.
    let tokens: [String]

    init(url: URL) throws {
        guard let data = try? Data(contentsOf: url) else {
            throw MiniLMError.missing(url.deletingLastPathComponent(), detail: "cannot read \(url.lastPathComponent)")
        }
        // Lines by bytes, as the tokenizer reads them ("\r\n" would be one Character).
        var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        self.url = url
        self.tokens = lines.map { String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self) }
    }

    /// The first id of `token`.
    func id(of token: String) throws -> Int32 {
        guard let index = tokens.firstIndex(of: token) else { throw MiniLMError.invalid(url, "vocabulary lacks \(token)") }
        return Int32(index)
    }

    /// model2vec's default `token_remove_pattern`, `\[unused\d+\]` applied with `re.match` (anchored at
    /// the start only): BERT's placeholder tokens, which no text ever produces.
    static func isPlaceholder(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        let prefix = Array("[unused".utf8)
        guard bytes.count > prefix.count + 1, bytes.starts(with: prefix) else { return false }
        var index = prefix.count
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        return index > prefix.count && index < bytes.count && bytes[index] == UInt8(ascii: "]")
    }
}
