extension PIIScanners {
    /// IBAN lengths by country (ISO 13616 registry).
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
        "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
        "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
        "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
        "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    /// IBAN: a known country code, 2 check digits, then the country's exact length of uppercase
    /// letters/digits, written compact or in space-separated groups of 4; the ISO 7064 mod-97 checksum
    /// must be 1. Lowercase IBANs are not recognised. `from`: no IBAN starts before it (the caller
    /// knows where the first two adjacent digits are).
    static func findIBANs(_ bytes: [UInt8], from: Int = 0) -> [PIIMatch] {
        var result: [PIIMatch] = []
        let n = bytes.count
        var i = from
        while i + 3 < n {
            defer { i += 1 }
            // The check digits first: they rule out most positions of ordinary text with one test.
            guard CleanBytes.isDigit(bytes[i + 2]), CleanBytes.isDigit(bytes[i + 3]),
                  CleanBytes.isUpper(bytes[i]), CleanBytes.isUpper(bytes[i + 1]),
                  i == 0 || !CleanBytes.isAlnum(bytes[i - 1]),
                  let length = ibanLengths[String(decoding: bytes[i..<(i + 2)], as: UTF8.self)] else { continue }
            var chars: [UInt8] = []
            var j = i
            while j < n && chars.count < length {
                let b = bytes[j]
                if CleanBytes.isUpper(b) || CleanBytes.isDigit(b) {
                    chars.append(b)
                    j += 1
                } else if b == UInt8(ascii: " ") && chars.count % 4 == 0 && j + 1 < n
                            && (CleanBytes.isUpper(bytes[j + 1]) || CleanBytes.isDigit(bytes[j + 1])) {
                    j += 1
                } else {
                    break
                }
            }
            guard chars.count == length, j == n || !CleanBytes.isAlnum(bytes[j]),
                  ibanChecksumIsValid(chars) else { continue }
            result.append(PIIMatch(kind: .iban, start: i, end: j))
            i = j - 1
        }
        return result
    }

    /// ISO 7064 mod 97-10 over the rearranged IBAN (first four characters moved to the end).
    static func ibanChecksumIsValid(_ chars: [UInt8]) -> Bool {
        var remainder = 0
        for b in chars[4...] + chars[..<4] {
            if CleanBytes.isDigit(b) {
                remainder = (remainder * 10 + Int(b - 0x30)) % 97
            } else {
                remainder = (remainder * 100 + Int(b - 0x41 + 10)) % 97
            }
        }
        return remainder == 1
    }
}
