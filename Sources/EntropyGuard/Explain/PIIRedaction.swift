/// `explain` prints texts with every PII span our detectors find (all kinds, whatever the run masked)
/// replaced by its kind, `<email>`, `<phone>`, …: explaining a row never shows the PII that sanitize
/// removed, and the word diff still shows where it was (`[-<email>-] {+[EMAIL_REMOVED]+}`). The
/// masks sanitize wrote (`[EMAIL_REMOVED]`) are not PII and stay as they are.
enum PIIRedaction {
    static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let counts = bytes.withUnsafeBufferPointer { PIIByteCounts($0) }
        let matches = PIIScanners.findAll(in: bytes, kinds: PIIKind.all, counts: counts)
        guard !matches.isEmpty else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var cursor = 0
        for match in matches {
            out += bytes[cursor..<match.start]
            out += Array("<\(match.kind.rawValue)>".utf8)
            cursor = match.end
        }
        out += bytes[cursor...]
        return String(decoding: out, as: UTF8.self)
    }
}
