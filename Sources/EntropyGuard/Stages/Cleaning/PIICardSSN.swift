extension PIIScanners {
    /// Credit card: 13–19 digits starting with 2–6 (Mastercard 2/5, Amex/Diners 3, Visa 4, Discover 6),
    /// compact or in card-style groups (4-4-4-4, 4-6-5…) separated by one kind of separator (" " or "-"),
    /// Luhn-valid. A compact run of
    /// more than 19 digits is not a card. When groups continue past a valid card ("4532 1234 5678 9010 2024"),
    /// the longest Luhn-valid prefix of whole groups is taken.
    static func findCards(_ bytes: [UInt8]) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        var i = 0
        while i < n {
            guard CleanBytes.isDigit(bytes[i]), isNumberStart(bytes, i) else { i += 1; continue }
            // Fast path: a short digit run not followed by "-"/" " and a digit cannot be a card.
            var runEnd = i
            while runEnd < n && CleanBytes.isDigit(bytes[runEnd]) { runEnd += 1 }
            if runEnd - i < 13 && !(runEnd + 1 < n && (bytes[runEnd] == UInt8(ascii: " ") || bytes[runEnd] == UInt8(ascii: "-"))
                                   && CleanBytes.isDigit(bytes[runEnd + 1])) {
                i = runEnd
                continue
            }
            // Group ends (byte index after each group) and cumulative digit counts.
            var groupEnds: [Int] = []
            var digits: [UInt8] = []
            var separator: UInt8 = 0
            var j = i
            while true {
                while j < n && CleanBytes.isDigit(bytes[j]) && digits.count <= 19 { digits.append(bytes[j]); j += 1 }
                groupEnds.append(j)
                guard digits.count <= 19, j + 1 < n, CleanBytes.isDigit(bytes[j + 1]) else { break }
                let b = bytes[j]
                guard b == UInt8(ascii: " ") || b == UInt8(ascii: "-"), separator == 0 || separator == b else { break }
                separator = b
                j += 1
            }
            let firstGroupEnd = groupEnds[0]
            var found: PIIMatch?
            for end in groupEnds.reversed() {
                let count = digitsBefore(end, start: i, bytes)
                guard (13...19).contains(count) else { continue }
                // The whole run must end cleanly; a shorter prefix may only be cut at a space.
                if end == groupEnds.last! ? !isNumberEnd(bytes, end) : separator != UInt8(ascii: " ") { continue }
                guard hasCardGrouping(groupEnds.prefix(while: { $0 <= end }), start: i, bytes) else { continue }
                let number = Array(digits[0..<count])
                guard number[0] >= UInt8(ascii: "2") && number[0] <= UInt8(ascii: "6"), luhnIsValid(number) else { continue }
                found = PIIMatch(kind: .credit_card, start: i, end: end)
                break
            }
            if let match = found {
                result.append(match)
                i = match.end
            } else {
                i = firstGroupEnd
            }
        }
        return result
    }

    /// Separated cards are written 4-4-4-4, 4-4-4-4-3, 4-6-5 or 4-6-4: the first group has 4 digits,
    /// the others 4–6 (the last may have 3). Compact numbers always pass.
    private static func hasCardGrouping(_ ends: ArraySlice<Int>, start: Int, _ bytes: [UInt8]) -> Bool {
        guard ends.count > 1 else { return true }
        var groupStart = start
        for (k, end) in ends.enumerated() {
            let length = end - groupStart
            let ok = k == 0 ? length == 4 : k == ends.count - 1 ? (3...6).contains(length) : (4...6).contains(length)
            guard ok else { return false }
            groupStart = end + 1
        }
        return true
    }

    private static func digitsBefore(_ end: Int, start: Int, _ bytes: [UInt8]) -> Int {
        var count = 0
        for k in start..<end where CleanBytes.isDigit(bytes[k]) { count += 1 }
        return count
    }

    /// Luhn checksum over ASCII digits.
    static func luhnIsValid(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, b) in digits.reversed().enumerated() {
            var d = Int(b - 0x30)
            if offset % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }

    /// SSN: exactly ddd-dd-dddd, standalone, with a valid area (not 000, 666 or 900–999), group (not 00)
    /// and serial (not 0000).
    static func findSSNs(_ bytes: [UInt8]) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        var i = 0
        while i + 11 <= n {
            guard CleanBytes.isDigit(bytes[i]), isNumberStart(bytes, i) else { i += 1; continue }
            let shapeOK = (0..<11).allSatisfy { k in
                k == 3 || k == 6 ? bytes[i + k] == UInt8(ascii: "-") : CleanBytes.isDigit(bytes[i + k])
            }
            guard shapeOK, isNumberEnd(bytes, i + 11) else { i += 1; continue }
            func value(_ from: Int, _ count: Int) -> Int {
                (0..<count).reduce(0) { $0 * 10 + Int(bytes[i + from + $1] - 0x30) }
            }
            let area = value(0, 3), group = value(4, 2), serial = value(7, 4)
            if area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 {
                result.append(PIIMatch(kind: .ssn, start: i, end: i + 11))
            }
            i += 11
        }
        return result
    }
}
