/// Cleans one text: HTML (if it contains a tag) -> Unicode/whitespace -> PII masking.
///
/// The order matters: markup and invisible characters are removed first, so that an address split by a
/// zero-width space or a tag (`jo<b>hn</b>@x.com`) is seen whole by the PII scanners. Case is never changed.
public func sanitize(_ text: String, options: SanitizeOptions = SanitizeOptions()) -> SanitizeResult {
    var current = text
    var htmlStripped = false
    if options.stripHTML && containsHTMLTag(current) {
        current = stripHTML(current)
        htmlStripped = true
    }
    if options.normalizeUnicode {
        current = cleanUnicode(current)
    }
    var counts: [PIIKind: Int] = [:]
    if !options.piiKinds.isEmpty {
        let masked = maskPII(current, kinds: options.piiKinds)
        current = masked.text
        counts = masked.counts
    }
    // Bytes, not `!=`: String inequality is canonical equivalence, so a text whose only change was NFC
    // ("Cafe\u{301}" -> "Caf\u{E9}") would count as unchanged and go out as it came in.
    return SanitizeResult(text: current, piiCounts: counts, htmlStripped: htmlStripped,
                          changed: !current.hasSameUTF8(as: text))
}
