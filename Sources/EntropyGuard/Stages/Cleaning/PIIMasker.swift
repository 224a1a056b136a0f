/// One detected PII span, as a byte range of the text's UTF-8.
struct PIIMatch: Equatable {
    var kind: PIIKind
    var start: Int
    var end: Int
}

/// The output of `maskPII`.
public struct PIIMaskResult: Sendable, Equatable {
    /// The text with every detected span replaced by its kind's token.
    public let text: String
    /// Masked spans per kind; kinds with no match are absent.
    public let counts: [PIIKind: Int]
}

/// Replaces PII of the selected kinds by `[KIND_REMOVED]` tokens.
///
/// Each detector proposes whole spans; overlapping spans are resolved by `PIIKind.priorityOrder`
/// (email > iban > credit_card > ssn > ip > phone), then by earliest start, and a losing span is dropped
/// whole, so a masked token always covers an entire number. Rules per kind are documented on the
/// detectors in `PIIScanners`. Only ASCII digits and separators are recognised (the text is expected to
/// have gone through `cleanUnicode`, which turns NBSP and friends into plain spaces).
public func maskPII(_ text: String, kinds: Set<PIIKind> = PIIKind.all) -> PIIMaskResult {
    let bytes = Array(text.utf8)
    let matches = PIIScanners.findAll(in: bytes, kinds: kinds)
    guard !matches.isEmpty else { return PIIMaskResult(text: text, counts: [:]) }
    var out = [UInt8]()
    out.reserveCapacity(bytes.count)
    var counts: [PIIKind: Int] = [:]
    var cursor = 0
    for match in matches {
        out.append(contentsOf: bytes[cursor..<match.start])
        out.append(contentsOf: match.kind.token.utf8)
        counts[match.kind, default: 0] += 1
        cursor = match.end
    }
    out.append(contentsOf: bytes[cursor...])
    return PIIMaskResult(text: String(decoding: out, as: UTF8.self), counts: counts)
}

/// The PII detectors. Each `find…` returns candidate spans; `findAll` resolves overlaps.
enum PIIScanners {
    /// Non-overlapping matches of the selected kinds, sorted by start.
    static func findAll(in bytes: [UInt8], kinds: Set<PIIKind>) -> [PIIMatch] {
        // One cheap pass decides which detectors can possibly match, so ordinary prose (few digits, no
        // "@") skips nearly all of them.
        var digits = 0, ats = 0, colons = 0, dots = 0, dashes = 0
        for b in bytes {
            if CleanBytes.isDigit(b) { digits += 1; continue }
            switch b {
            case UInt8(ascii: "@"): ats += 1
            case UInt8(ascii: ":"): colons += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "-"): dashes += 1
            default: break
            }
        }
        guard digits > 0 || ats > 0 else { return [] }
        var accepted: [PIIMatch] = []
        for kind in PIIKind.priorityOrder where kinds.contains(kind) {
            let candidates: [PIIMatch]
            switch kind {
            case .email: candidates = ats > 0 ? findEmails(bytes) : []
            case .iban: candidates = digits >= 2 && bytes.count >= 15 ? findIBANs(bytes) : []
            case .credit_card: candidates = digits >= 13 ? findCards(bytes) : []
            case .ssn: candidates = digits >= 9 && dashes >= 2 ? findSSNs(bytes) : []
            case .ip:
                // IPv6 first at equal starts, and an IPv6 with an embedded quad ("::ffff:1.2.3.4") before
                // the quad it contains: sort by start, longer first.
                candidates = ((digits >= 4 && dots >= 3 ? findIPv4(bytes) : []) + (colons >= 2 ? findIPv6(bytes) : []))
                    .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
            case .phone: candidates = digits >= 7 ? findPhones(bytes) : []
            }
            // Detectors report spans in increasing start order.
            for candidate in candidates
            where !accepted.contains(where: { $0.start < candidate.end && candidate.start < $0.end }) {
                accepted.append(candidate)
            }
        }
        return accepted.sorted { $0.start < $1.start }
    }

    /// True when a number may start at `i`: the previous byte is not alphanumeric, and not a joiner
    /// ("-", ".", "_", "/", "+", "@") glued to an identifier, as in "ORD-2024-001234" or "v1.2".
    static func isNumberStart(_ bytes: [UInt8], _ i: Int) -> Bool {
        guard i > 0 else { return true }
        let p = bytes[i - 1]
        if CleanBytes.isAlnum(p) { return false }
        switch p {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: "+"),
             UInt8(ascii: "@"), UInt8(ascii: "#"):
            return i < 2 || !CleanBytes.isAlnum(bytes[i - 2])
        default:
            return true
        }
    }

    /// True when a number may end at `end`: the next byte is not alphanumeric, not "-"/"." followed by
    /// more digits ("1.2.3.4.5", "4111…-2"), and not "_" glued to an identifier. A sentence may follow
    /// without a space: "call 555-123-4567.Thanks" still ends the number.
    static func isNumberEnd(_ bytes: [UInt8], _ end: Int) -> Bool {
        guard end < bytes.count else { return true }
        let b = bytes[end]
        if CleanBytes.isAlnum(b) { return false }
        guard end + 1 < bytes.count else { return true }
        let next = bytes[end + 1]
        if (b == UInt8(ascii: "-") || b == UInt8(ascii: ".")) && CleanBytes.isDigit(next) { return false }
        if b == UInt8(ascii: "_") && CleanBytes.isAlnum(next) { return false }
        return true
    }
}
