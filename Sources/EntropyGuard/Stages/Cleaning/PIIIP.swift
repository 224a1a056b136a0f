import Foundation

extension PIIScanners {
    /// Words that, right before a dotted quad, mark it as a version number rather than an address.
    static let versionWords: Set<String> = ["version", "ver", "ver.", "v", "v.", "release", "build", "firmware"]

    /// IPv4: four dot-separated decimal octets 0–255 without leading zeros, standalone. A quad preceded
    /// by a version word ("version 1.2.3.4", "build 10.0.19041.1", "v 1.2.3.4") is left alone;
    /// "v1.2.3.4" is never a match because the "v" is glued to it. Any other valid quad — including a
    /// bare "1.2.3.4" — is masked: it cannot be told apart from an address.
    static func findIPv4(_ bytes: [UInt8]) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        var i = 0
        while i < n {
            guard CleanBytes.isDigit(bytes[i]), isNumberStart(bytes, i) else { i += 1; continue }
            if let end = parseIPv4(bytes, from: i), isNumberEnd(bytes, end), !followsVersionWord(bytes, i) {
                result.append(PIIMatch(kind: .ip, start: i, end: end))
                i = end
            } else {
                while i < n && (CleanBytes.isDigit(bytes[i]) || bytes[i] == UInt8(ascii: ".")) { i += 1 }
            }
        }
        return result
    }

    /// Index after a dotted quad starting at `from`, or nil.
    static func parseIPv4(_ bytes: [UInt8], from: Int) -> Int? {
        let n = bytes.count
        var j = from
        for octet in 0..<4 {
            if octet > 0 {
                guard j < n, bytes[j] == UInt8(ascii: ".") else { return nil }
                j += 1
            }
            let start = j
            var value = 0
            while j < n && CleanBytes.isDigit(bytes[j]) && j - start < 4 { value = value * 10 + Int(bytes[j] - 0x30); j += 1 }
            let length = j - start
            guard length >= 1, length <= 3, value <= 255, length == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        }
        return j
    }

    private static func followsVersionWord(_ bytes: [UInt8], _ start: Int) -> Bool {
        var end = start
        while end > 0 && bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        guard end < start else { return false }
        var begin = end
        while begin > 0 && (CleanBytes.isAlpha(bytes[begin - 1]) || bytes[begin - 1] == UInt8(ascii: ".")) { begin -= 1 }
        guard begin < end else { return false }
        let word = String(decoding: bytes[begin..<end].map(CleanBytes.lower), as: UTF8.self)
        return versionWords.contains(word)
    }

    /// IPv6: 8 groups of 1–4 hex digits, or fewer with exactly one "::", optionally ending in a dotted
    /// IPv4 quad (counting as two groups). At least two colons and one decimal digit are required, so
    /// times ("12:30:45"), MAC addresses (6 groups) and C++ scopes ("std::vector") are not matches.
    static func findIPv6(_ bytes: [UInt8]) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            guard CleanBytes.isHex(b) || b == UInt8(ascii: ":") else { i += 1; continue }
            if i > 0 && (CleanBytes.isAlnum(bytes[i - 1]) || bytes[i - 1] == UInt8(ascii: ".")
                         || bytes[i - 1] == UInt8(ascii: ":")) {
                i += 1
                continue
            }
            var j = i
            while j < n && (CleanBytes.isHex(bytes[j]) || bytes[j] == UInt8(ascii: ":") || bytes[j] == UInt8(ascii: ".")) {
                j += 1
            }
            var end = j
            while end > i && bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            if end - i >= 2 && bytes[end - 1] == UInt8(ascii: ":") && bytes[end - 2] != UInt8(ascii: ":") { end -= 1 }
            if end > i && (end < n ? !CleanBytes.isAlnum(bytes[end]) || end < j : true),
               isValidIPv6(bytes[i..<end]) {
                result.append(PIIMatch(kind: .ip, start: i, end: end))
            }
            i = max(j, i + 1)
        }
        return result
    }

    static func isValidIPv6(_ text: ArraySlice<UInt8>) -> Bool {
        var colons = 0, hasDigit = false, hasDoubleColon = false
        var previous: UInt8 = 0
        for b in text {
            if b == UInt8(ascii: ":") {
                colons += 1
                if previous == b { hasDoubleColon = true }
            } else if CleanBytes.isDigit(b) {
                hasDigit = true
            }
            previous = b
        }
        // Without "::", a full address has 7 colons (6 with an embedded IPv4 quad).
        guard colons >= 2, hasDigit, hasDoubleColon || colons == 7 || colons == 6 else { return false }
        let string = String(decoding: text, as: UTF8.self)
        let halves = string.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for (h, half) in halves.enumerated() where !half.isEmpty {
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (p, part) in parts.enumerated() {
                if part.contains(".") {
                    // Embedded IPv4: only as the very last group.
                    guard h == halves.count - 1, p == parts.count - 1 else { return false }
                    let quad = Array(part.utf8)
                    guard parseIPv4(quad, from: 0) == quad.count else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(CleanBytes.isHex) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }
}
