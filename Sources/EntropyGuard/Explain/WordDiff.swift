/// A word diff of two texts, as `git diff --word-diff` prints it: `[-removed-]{+added+}`. Words are
/// split on whitespace, so whitespace-only changes (sanitize collapses runs of spaces) do not show.
/// The alignment is the standard library's `difference(from:)` (Myers: O((n + m) · d)), so long texts
/// with few changes cost little.
enum WordDiff {
    enum Piece: Equatable {
        case same(String), removed(String), added(String)
    }

    /// Runs of equal, removed and added words (words of a run joined by one space); in a change, the
    /// removed run comes before the added one.
    static func pieces(from before: String, to after: String) -> [Piece] {
        let old = before.split(whereSeparator: \.isWhitespace)
        let new = after.split(whereSeparator: \.isWhitespace)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in new.difference(from: old) {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var pieces: [Piece] = []
        func add(_ piece: Piece) {
            switch (pieces.last, piece) {
            case (.same(let a)?, .same(let b)): pieces[pieces.count - 1] = .same(a + " " + b)
            case (.removed(let a)?, .removed(let b)): pieces[pieces.count - 1] = .removed(a + " " + b)
            case (.added(let a)?, .added(let b)): pieces[pieces.count - 1] = .added(a + " " + b)
            default: pieces.append(piece)
            }
        }
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count && removed.contains(i) {
                add(.removed(String(old[i]))); i += 1
            } else if j < new.count && inserted.contains(j) {
                add(.added(String(new[j]))); j += 1
            } else {
                add(.same(String(old[i]))); i += 1; j += 1
            }
        }
        return pieces
    }

    /// `same [-removed-] {+added+} same`.
    static func render(_ pieces: [Piece]) -> String {
        pieces.map { piece in
            switch piece {
            case .same(let text): return text
            case .removed(let text): return "[-\(text)-]"
            case .added(let text): return "{+\(text)+}"
            }
        }.joined(separator: " ")
    }
}
