extension PIIScanners {
    /// Email: local part of [A-Za-z0-9._%+-] (no leading dot) "@" a domain of 2+ dot-separated labels
    /// ([A-Za-z0-9-], not starting/ending with "-") whose last label is 2+ letters. Trailing dots are not
    /// part of the address ("mail a@b.com."). ASCII addresses only.
    static func findEmails(_ bytes: [UInt8]) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        for at in 0..<n where bytes[at] == UInt8(ascii: "@") {
            var start = at
            while start > 0 && isLocalPartByte(bytes[start - 1]) { start -= 1 }
            while start < at && bytes[start] == UInt8(ascii: ".") { start += 1 }
            guard start < at else { continue }
            var end = at + 1
            while end < n && (CleanBytes.isAlnum(bytes[end]) || bytes[end] == UInt8(ascii: "-")
                              || bytes[end] == UInt8(ascii: ".")) {
                end += 1
            }
            while end > at + 1 && (bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-")) {
                end -= 1
            }
            guard isValidDomain(bytes[(at + 1)..<end]) else { continue }
            result.append(PIIMatch(kind: .email, start: start, end: end))
        }
        return result
    }

    private static func isLocalPartByte(_ b: UInt8) -> Bool {
        CleanBytes.isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "%")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    private static func isValidDomain(_ domain: ArraySlice<UInt8>) -> Bool {
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard let first = label.first, let last = label.last,
                  first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
        }
        let tld = labels[labels.count - 1]
        return tld.count >= 2 && tld.allSatisfy(CleanBytes.isAlpha)
    }
}
