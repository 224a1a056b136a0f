/// HTML character references: the HTML 4 named set (all 253 entities, which covers the ones seen in
/// scraped text) plus a few common HTML5 names, and numeric references.
enum HTMLEntities {
    /// Latin-1 names for U+00A0...U+00FF, in code point order.
    private static let latin1Names = """
        nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 \
        sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc \
        Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve \
        Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute \
        acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde \
        ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml
        """
    /// Greek capitals from U+0391 (U+03A2 is unassigned, hence the gap) and small letters from U+03B1.
    private static let greekUpper = "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho - Sigma Tau Upsilon Phi Chi Psi Omega"
    private static let greekLower = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigmaf sigma tau upsilon phi chi psi omega"
    /// Everything else, as name:codepoint.
    private static let others = """
        quot:34 amp:38 apos:39 lt:60 gt:62 OElig:338 oelig:339 Scaron:352 scaron:353 Yuml:376 fnof:402 \
        circ:710 tilde:732 thetasym:977 upsih:978 piv:982 ensp:8194 emsp:8195 thinsp:8201 zwnj:8204 \
        zwj:8205 lrm:8206 rlm:8207 ndash:8211 mdash:8212 lsquo:8216 rsquo:8217 sbquo:8218 ldquo:8220 \
        rdquo:8221 bdquo:8222 dagger:8224 Dagger:8225 bull:8226 hellip:8230 permil:8240 prime:8242 \
        Prime:8243 lsaquo:8249 rsaquo:8250 oline:8254 frasl:8260 euro:8364 image:8465 weierp:8472 \
        real:8476 trade:8482 alefsym:8501 larr:8592 uarr:8593 rarr:8594 darr:8595 harr:8596 crarr:8629 \
        lArr:8656 uArr:8657 rArr:8658 dArr:8659 hArr:8660 forall:8704 part:8706 exist:8707 empty:8709 \
        nabla:8711 isin:8712 notin:8713 ni:8715 prod:8719 sum:8721 minus:8722 lowast:8727 radic:8730 \
        prop:8733 infin:8734 ang:8736 and:8743 or:8744 cap:8745 cup:8746 int:8747 there4:8756 sim:8764 \
        cong:8773 asymp:8776 ne:8800 equiv:8801 le:8804 ge:8805 sub:8834 sup:8835 nsub:8836 sube:8838 \
        supe:8839 oplus:8853 otimes:8855 perp:8869 sdot:8901 lceil:8968 rceil:8969 lfloor:8970 \
        rfloor:8971 lang:10216 rang:10217 loz:9674 spades:9824 clubs:9827 hearts:9829 diams:9830 \
        Tab:9 NewLine:10 excl:33 num:35 dollar:36 percnt:37 lpar:40 rpar:41 ast:42 plus:43 comma:44 \
        period:46 sol:47 colon:58 semi:59 equals:61 quest:63 commat:64 lsqb:91 bsol:92 rsqb:93 \
        lowbar:95 grave:96 lcub:123 verbar:124 rcub:125 hyphen:8208 dash:8208 check:10003 star:9734 \
        starf:9733 nbhy:8209 rsquor:8217 ldquor:8222 horbar:8213 bullet:8226 TRADE:8482 \
        COPY:169 REG:174 AMP:38 LT:60 GT:62 QUOT:34
        """

    /// Name (case-sensitive, as in HTML) -> scalar.
    static let named: [String: Unicode.Scalar] = {
        var table: [String: Unicode.Scalar] = [:]
        func add(_ names: String, from first: UInt32) {
            for (offset, name) in names.split(separator: " ").enumerated() where name != "-" {
                table[String(name)] = Unicode.Scalar(first + UInt32(offset))!
            }
        }
        add(latin1Names, from: 0xA0)
        add(greekUpper, from: 0x391)
        add(greekLower, from: 0x3B1)
        for pair in others.split(separator: " ") {
            let parts = pair.split(separator: ":")
            table[String(parts[0])] = Unicode.Scalar(UInt32(parts[1])!)!
        }
        return table
    }()

    /// Names that HTML decodes even without the trailing ";" (the common legacy ones), also as a prefix
    /// of a longer run ("&copy2024" -> "©2024", as browsers do in text).
    static let legacyWithoutSemicolon: Set<String> = ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg",
                                                      "AMP", "LT", "GT", "QUOT", "COPY", "REG"]

    /// Windows-1252 meanings of numeric references &#128;...&#159;, as browsers decode them
    /// (e.g. &#150; is an en dash); 0 marks the five undefined slots.
    private static let cp1252: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
        0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0, 0x017E, 0x0178,
    ]

    /// The scalar a numeric reference stands for; invalid values (0, surrogates, > U+10FFFF) give U+FFFD.
    static func numericScalar(_ value: UInt32) -> Unicode.Scalar {
        if value >= 0x80 && value <= 0x9F {
            let mapped = cp1252[Int(value - 0x80)]
            return mapped == 0 ? "\u{FFFD}" : Unicode.Scalar(mapped)!
        }
        if value == 0 { return "\u{FFFD}" }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    /// Decodes the character reference starting at `bytes[at]` (which is "&").
    ///
    /// Returns the decoded scalar and the index just after the reference, or nil when the text is not a
    /// reference we decode (unknown names like "&foo;" and bare "&" stay literal; "&amp", "&lt3" decode). Decoding is one pass
    /// over the source, so "&amp;lt;" becomes "&lt;" and never "<".
    static func decode(_ bytes: [UInt8], at: Int) -> (Unicode.Scalar, Int)? {
        let n = bytes.count
        var i = at + 1
        guard i < n else { return nil }
        if bytes[i] == UInt8(ascii: "#") {
            i += 1
            var hex = false
            if i < n && (bytes[i] | 0x20) == UInt8(ascii: "x") { hex = true; i += 1 }
            let digitsStart = i
            var value: UInt32 = 0
            while i < n && (hex ? CleanBytes.isHex(bytes[i]) : CleanBytes.isDigit(bytes[i])) {
                let b = bytes[i]
                let d: UInt32 = CleanBytes.isDigit(b) ? UInt32(b - 0x30) : UInt32((b | 0x20) - 0x61 + 10)
                value = min(value &* (hex ? 16 : 10) &+ d, 0x110000) // clamp: anything larger is invalid
                i += 1
            }
            guard i > digitsStart else { return nil }
            if i < n && bytes[i] == UInt8(ascii: ";") { i += 1 }
            return (numericScalar(value), i)
        }
        let nameStart = i
        while i < n && CleanBytes.isAlnum(bytes[i]) && i - nameStart < 32 { i += 1 }
        guard i > nameStart else { return nil }
        let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
        if i < n && bytes[i] == UInt8(ascii: ";"), let scalar = named[name] {
            return (scalar, i + 1)
        }
        // Without ";", HTML decodes the longest legacy name that prefixes the run: "&lt3" -> "<3".
        for length in stride(from: min(i - nameStart, 4), through: 2, by: -1) {
            let prefix = String(decoding: bytes[nameStart..<(nameStart + length)], as: UTF8.self)
            if legacyWithoutSemicolon.contains(prefix), let scalar = named[prefix] {
                return (scalar, nameStart + length)
            }
        }
        return nil
    }
}
