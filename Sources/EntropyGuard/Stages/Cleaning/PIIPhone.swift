/// Phone numbers. The rule, chosen to catch written phone numbers without eating other numbers:
///
/// - International: "+" then the country code and digit groups separated by single " ", "-", "." or a
///   parenthesised group ("+44 (0)20 7946 0958"); 8–15 digits in total (E.164). A compact "+4930123456"
///   is a phone.
/// - National: at least two groups separated by " ", "-" or "." (or a parenthesised area code:
///   "(555) 123-4567", "(555)123-4567"), 7–11 digits in total, first group 1–5 digits (1 digit only
///   with 3+ groups: "1-800-555-0199"), later groups 2–8 digits. Rejected shapes: a bare digit run
///   ("order 1234567890" is not a phone), dates (4-2-2 and 2-2-4: "2024-01-15", "15.01.2024"), year
///   ranges (4-4 with both groups 1xxx/2xxx: "1999-2024"),
///   SSN shapes (3-2-4), thousands groupings (1–3 digits then groups of exactly 3: "1 000 000",
///   "12.345.678"), and "." separators unless 3+ groups and 9+ digits ("3.14", "01.02.03.04").
/// - Segmentation: groups joined by "-", "." or parentheses are never split. Digit groups joined by
///   single spaces into a longer run ("2024 555-123-4567") are split only at those spaces, taking the
///   earliest then longest valid window; a card-shaped run (space-separated groups of 3–6 digits starting
///   with 4: "1234 5678 9012 3456") is judged whole, so it cannot be cut into a phone-shaped piece.
extension PIIScanners {
    struct PhoneGroup {
        var start: Int
        var end: Int
        var digits: Int
        var paren: Bool
        var firstDigit: UInt8
        /// Separator byte before this group (0 for the first group or right after a parenthesis).
        var separatorBefore: UInt8
    }

    static func findPhones(_ bytes: [UInt8]) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            let startsNumber = (b == UInt8(ascii: "+") || b == UInt8(ascii: "(")) && i + 1 < n && CleanBytes.isDigit(bytes[i + 1])
                || CleanBytes.isDigit(b)
            guard startsNumber, isNumberStart(bytes, i) else { i += 1; continue }
            let international = b == UInt8(ascii: "+")
            let groups = parsePhoneGroups(bytes, from: international ? i + 1 : i, international: international)
            // A lone national digit run is never a phone: skip it without looking for windows.
            guard !groups.isEmpty, international || groups.count >= 2 else { i = groups.last?.end ?? i + 1; continue }
            let runEnd = groups[groups.count - 1].end
            if let window = bestWindow(groups, bytes: bytes, international: international) {
                let start = window.lowerBound == 0 ? i : groups[window.lowerBound].start
                result.append(PIIMatch(kind: .phone, start: start, end: groups[window.upperBound - 1].end))
                i = groups[window.upperBound - 1].end
            } else {
                i = max(runEnd, i + 1)
            }
        }
        return result
    }

    /// Greedy parse of digit groups and their separators.
    private static func parsePhoneGroups(_ bytes: [UInt8], from: Int, international: Bool) -> [PhoneGroup] {
        let n = bytes.count
        var groups: [PhoneGroup] = []
        var j = from
        var separator: UInt8 = 0
        while j < n && groups.count < 12 {
            let parenAllowed = groups.count == (international ? 1 : 0)
            if bytes[j] == UInt8(ascii: "(") && parenAllowed {
                var k = j + 1
                while k < n && CleanBytes.isDigit(bytes[k]) { k += 1 }
                guard k > j + 1, k - j - 1 <= 5, k < n, bytes[k] == UInt8(ascii: ")") else { break }
                groups.append(PhoneGroup(start: j, end: k + 1, digits: k - j - 1, paren: true, firstDigit: bytes[j + 1],
                                         separatorBefore: separator))
                j = k + 1
                // After ")", an optional space or dash, then digits.
                if j + 1 < n && (bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "-")) && CleanBytes.isDigit(bytes[j + 1]) {
                    j += 1
                }
                separator = 0
                guard j < n, CleanBytes.isDigit(bytes[j]) else { break }
                continue
            }
            guard CleanBytes.isDigit(bytes[j]) else { break }
            let start = j
            while j < n && CleanBytes.isDigit(bytes[j]) { j += 1 }
            groups.append(PhoneGroup(start: start, end: j, digits: j - start, paren: false, firstDigit: bytes[start],
                                     separatorBefore: separator))
            guard j + 1 < n else { break }
            let s = bytes[j]
            guard s == UInt8(ascii: " ") || s == UInt8(ascii: "-") || s == UInt8(ascii: ".") else { break }
            let next = bytes[j + 1]
            guard CleanBytes.isDigit(next) || (next == UInt8(ascii: "(") && groups.count == (international ? 1 : 0)) else { break }
            separator = s
            j += 1
        }
        return groups
    }

    /// The window of groups to mask, or nil.
    private static func bestWindow(_ groups: [PhoneGroup], bytes: [UInt8], international: Bool) -> Range<Int>? {
        let count = groups.count
        // Cut points: only where groups are joined by a single space.
        var canStart = [true] + groups.dropFirst().map { $0.separatorBefore == UInt8(ascii: " ") }
        var canEnd = groups.indices.map { $0 == count - 1 || groups[$0 + 1].separatorBefore == UInt8(ascii: " ") }
        // A card-shaped run ("1234 5678 9012 3456", even Luhn-invalid) is judged whole, never cut into
        // phone-shaped pieces.
        let onlySpaces = count >= 3 && groups.dropFirst().allSatisfy { $0.separatorBefore == UInt8(ascii: " ") }
            && !groups.contains { $0.paren } && groups[0].digits == 4 && groups.allSatisfy { (3...6).contains($0.digits) }
        if onlySpaces || international {
            canStart = groups.indices.map { $0 == 0 }
        }
        if onlySpaces {
            canEnd = groups.indices.map { $0 == count - 1 }
        }
        if !isNumberEnd(bytes, groups[count - 1].end) { canEnd[count - 1] = false }
        for s in 0..<count where canStart[s] {
            for e in stride(from: count - 1, through: s, by: -1) where canEnd[e] {
                let window = groups[s...e]
                if international ? isInternationalPhone(window) : isNationalPhone(window) { return s..<(e + 1) }
            }
        }
        return nil
    }

    private static func isInternationalPhone(_ groups: ArraySlice<PhoneGroup>) -> Bool {
        let total = groups.reduce(0) { $0 + $1.digits }
        guard (8...15).contains(total) else { return false }
        if groups.count > 1 && groups[groups.startIndex].digits > 3 { return false }
        return groups.dropFirst().allSatisfy { $0.digits <= 8 }
    }

    /// A plain 4-digit group starting with 1 or 2 (1000–2999), as in the year range "1999-2024".
    private static func isYear(_ group: PhoneGroup) -> Bool {
        !group.paren && group.digits == 4 && (group.firstDigit == UInt8(ascii: "1") || group.firstDigit == UInt8(ascii: "2"))
    }

    private static func isNationalPhone(_ groups: ArraySlice<PhoneGroup>) -> Bool {
        guard groups.count >= 2 else { return false }
        let total = groups.reduce(0) { $0 + $1.digits }
        guard (7...11).contains(total) else { return false }
        let first = groups[groups.startIndex].digits
        guard (1...5).contains(first), first > 1 || groups.count >= 3 || groups[groups.startIndex].paren else { return false }
        guard groups.dropFirst().allSatisfy({ (2...8).contains($0.digits) }) else { return false }
        let shape = groups.map(\.digits)
        // Dates and SSN-shaped numbers (an invalid SSN is still not a phone).
        if shape == [4, 2, 2] || shape == [2, 2, 4] || shape == [3, 2, 4] { return false }
        if shape == [4, 4] && groups.allSatisfy({ isYear($0) }) { return false }
        if !groups[groups.startIndex].paren && first <= 3 && groups.dropFirst().allSatisfy({ $0.digits == 3 }) { return false }
        if groups.contains(where: { $0.separatorBefore == UInt8(ascii: ".") }) && (groups.count < 3 || total < 9) {
            return false
        }
        return true
    }
}
