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
    // The byte counts decide which detectors can match; ordinary prose (no digits, no "@") is returned
    // as it is without copying its bytes.
    var text = text
    let byteCounts = text.withUTF8 { PIIByteCounts($0) }
    guard byteCounts.digits > 0 || byteCounts.ats > 0 else { return PIIMaskResult(text: text, counts: [:]) }
    let bytes = Array(text.utf8)
    let matches = PIIScanners.findAll(in: bytes, kinds: kinds, counts: byteCounts)
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
    /// Non-overlapping matches of the selected kinds, sorted by start. `counts` (of these bytes) decide
    /// which detectors can possibly match, so ordinary prose (few digits, no "@") skips nearly all of them.
    static func findAll(in bytes: [UInt8], kinds: Set<PIIKind>, counts: PIIByteCounts) -> [PIIMatch] {
        let (digits, ats, colons, dots, dashes) = (counts.digits, counts.ats, counts.colons, counts.dots, counts.dashes)
        guard digits > 0 || ats > 0 else { return [] }
        var accepted: [PIIMatch] = []
        for kind in PIIKind.priorityOrder {
            // The counts first: they rule out most detectors without looking the kind up in the set.
            let possible: Bool
            switch kind {
            case .email: possible = ats > 0
            // Two check digits after the country code: from two digits in a row on.
            case .iban: possible = counts.firstDigitPair + 2 <= bytes.count && bytes.count >= 15
            case .credit_card: possible = digits >= 13
            case .ssn: possible = digits >= 9 && dashes >= 2
            case .ip: possible = (digits >= 4 && dots >= 3) || colons >= 2
            case .phone: possible = digits >= 7
            }
            guard possible, kinds.contains(kind) else { continue }
            let candidates: [PIIMatch]
            switch kind {
            case .email: candidates = findEmails(bytes)
            case .iban: candidates = findIBANs(bytes, from: max(0, counts.firstDigitPair - 2))
            case .credit_card: candidates = findCards(bytes)
            case .ssn: candidates = findSSNs(bytes)
            case .ip:
                // IPv6 first at equal starts, and an IPv6 with an embedded quad ("::ffff:1.2.3.4") before
                // the quad it contains: sort by start, longer first.
                candidates = ((digits >= 4 && dots >= 3 ? findIPv4(bytes) : []) + (colons >= 2 ? findIPv6(bytes) : []))
                    .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
            case .phone: candidates = findPhones(bytes)
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

/// How many digits and PII punctuation bytes a text has, and where its first two adjacent digits
/// are: which detectors can possibly match, and from where.
struct PIIByteCounts: Equatable {
    var digits = 0, ats = 0, colons = 0, dots = 0, dashes = 0
    /// Index of the first digit followed by another digit (the byte count when none).
    var firstDigitPair = 0

    /// Counts 8 bytes at a time where they are all ASCII (bytes >= 0x80 are none of these), byte by
    /// byte elsewhere. The matches of each word are added up per byte lane and the lanes summed every
    /// 255 words, which costs less than a population count per word (no POPCNT in the baseline x86-64).
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        firstDigitPair = n
        guard n > 0, let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        /// High bit of each byte equal to `byte` (valid for ASCII words: nothing carries between bytes).
        @inline(__always) func equal(_ word: UInt64, _ byte: UInt64) -> UInt64 {
            ~((word ^ byte &* ones) &+ 0x7F &* ones) & high
        }
        /// The sum of the eight byte lanes (each at most 255).
        @inline(__always) func sum(_ lanes: UInt64) -> Int {
            let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
            return Int((pairs &* 0x0001_0001_0001_0001) >> 48)
        }
        var digitLanes: UInt64 = 0, atLanes: UInt64 = 0, colonLanes: UInt64 = 0, dotLanes: UInt64 = 0, dashLanes: UInt64 = 0
        var wordsInLanes = 0
        var previousDigit = false   // the byte before the current word or byte was a digit
        var i = 0
        while i + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            if word & high == 0 {
                // 0x30...0x39: adding 0x50 sets the high bit from 0x30 on, adding 0x46 from 0x3A on.
                let digitMask = (word &+ 0x50 &* ones) & ~(word &+ 0x46 &* ones) & high
                if digitMask != 0 && firstDigitPair == n {
                    let pairs = digitMask & (digitMask >> 8)
                    if previousDigit && digitMask & 0x80 != 0 {
                        firstDigitPair = i - 1
                    } else if pairs != 0 {
                        firstDigitPair = i + pairs.trailingZeroBitCount >> 3
                    }
                }
                previousDigit = digitMask >> 63 != 0
                digitLanes &+= digitMask >> 7
                atLanes &+= equal(word, 0x40) >> 7
                colonLanes &+= equal(word, 0x3A) >> 7
                dotLanes &+= equal(word, 0x2E) >> 7
                dashLanes &+= equal(word, 0x2D) >> 7
                wordsInLanes += 1
                if wordsInLanes == 255 {
                    digits += sum(digitLanes); ats += sum(atLanes); colons += sum(colonLanes); dots += sum(dotLanes); dashes += sum(dashLanes)
                    (digitLanes, atLanes, colonLanes, dotLanes, dashLanes) = (0, 0, 0, 0, 0)
                    wordsInLanes = 0
                }
            } else {
                for k in i..<(i + 8) { count(base[k], at: k, &previousDigit) }
            }
            i += 8
        }
        digits += sum(digitLanes); ats += sum(atLanes); colons += sum(colonLanes); dots += sum(dotLanes); dashes += sum(dashLanes)
        while i < n {
            count(base[i], at: i, &previousDigit)
            i += 1
        }
    }

    @inline(__always)
    private mutating func count(_ b: UInt8, at index: Int, _ previousDigit: inout Bool) {
        if CleanBytes.isDigit(b) {
            digits += 1
            if previousDigit && firstDigitPair > index - 1 { firstDigitPair = index - 1 }
            previousDigit = true
            return
        }
        previousDigit = false
        switch b {
        case UInt8(ascii: "@"): ats += 1
        case UInt8(ascii: ":"): colons += 1
        case UInt8(ascii: "."): dots += 1
        case UInt8(ascii: "-"): dashes += 1
        default: break
        }
    }
}
