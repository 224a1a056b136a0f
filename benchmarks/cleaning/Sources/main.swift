// Throughput of the cleaning functions on ~200-byte texts. Prints figures; asserts nothing.
// Run: benchmarks/cleaning/run.sh [rows] [name filter]  (builds in release mode)
import EntropyGuard
import Foundation

/// Deterministic corpus: a mix of plain prose, PII-bearing lines, HTML snippets and non-Latin text.
func makeCorpus(count: Int) -> [String] {
    let prose = [
        "The quick brown fox jumps over the lazy dog while the committee reviews the quarterly report.",
        "Dataset cleaning removes duplicates, markup and personal data before training large models.",
        "Il a réservé une table au café près de la gare pour jeudi soir, à dix-neuf heures trente.",
        "Order 1234567890 shipped on 2024-01-15; version 1.2.3 fixes the crash reported last week.",
    ]
    let pii = [
        "Contact John at john.doe@example.com or call (555) 123-4567 before Friday.",
        "Card 4111 1111 1111 1111 was charged; refund to IBAN DE89 3704 0044 0532 0130 00.",
        "Server 192.168.10.20 and 2001:db8::1 logged SSN 123-45-6789 by mistake.",
        "Call +44 20 7946 0958 or +49 30 123456 for support, ref 555.123.4567.",
    ]
    let html = [
        "<div class=\"post\"><p>Hello&nbsp;<b>world</b> &amp; friends</p><script>x()</script><br>Bye</div>",
        "<ul><li>One item</li><li>Two &lt;items&gt;</li></ul><!-- comment --><p>End of list.</p>",
    ]
    let other = [
        "日本語のテキストとEmoji 👩‍💻 が混在する行です。\u{200B}ゼロ幅スペースも含みます。   空白も。",
        "Ελληνικά και Русский текст\twith\t\ttabs\r\nand CRLF line breaks\u{A0}and NBSP.",
    ]
    var rng = UInt64(12345)
    func next() -> Int {
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        return Int(rng >> 33)
    }
    return (0..<count).map { _ in
        let kind = next() % 10
        let pool = kind < 4 ? prose : kind < 7 ? pii : kind < 9 ? html : other
        var text = pool[next() % pool.count]
        while text.utf8.count < 180 { text += " " + prose[next() % prose.count] }
        return String(text.prefix(220))
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func measure(_ name: String, corpus: [String], runs: Int, _ body: (String) -> Int) {
    if let only, !name.contains(only) { return }
    var rates: [Double] = []
    var sink = 0
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        for text in corpus { sink &+= body(text) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        rates.append(Double(corpus.count) / seconds)
    }
    let mb = Double(corpus.reduce(0) { $0 + $1.utf8.count }) / 1e6
    let rate = median(rates)
    let label = name.padding(toLength: 28, withPad: " ", startingAt: 0)
    print(label + String(format: " median %9.0f rows/s  %6.1f MB/s  (min %.0f, max %.0f, %d runs)  [sink %d]",
                         rate, rate * mb / Double(corpus.count), rates.min()!, rates.max()!, runs, sink % 10))
}

let rows = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100_000
/// Optional second argument: run only the measurements whose name contains it (for profiling).
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : nil
let runs = 5
let corpus = makeCorpus(count: rows)
let averageBytes = corpus.reduce(0) { $0 + $1.utf8.count } / corpus.count
print("cleaning-bench: \(rows) rows, average \(averageBytes) bytes, \(runs) runs each")
measure("sanitize (all steps)", corpus: corpus, runs: runs) { sanitize($0).text.utf8.count }
measure("sanitize (no PII)", corpus: corpus, runs: runs) {
    sanitize($0, options: SanitizeOptions(piiKinds: [])).text.utf8.count
}
measure("containsHTMLTag", corpus: corpus, runs: runs) { containsHTMLTag($0) ? 1 : 0 }
measure("cleanUnicode", corpus: corpus, runs: runs) { cleanUnicode($0).utf8.count }
measure("NFC (Foundation, all rows)", corpus: corpus, runs: runs) { $0.precomposedStringWithCanonicalMapping.utf8.count }
measure("maskPII (all kinds)", corpus: corpus, runs: runs) { maskPII($0).text.utf8.count }
let chunker = Chunker(size: 64, overlap: 16)
measure("Chunker(64, 16).chunks", corpus: corpus, runs: runs) { chunker.chunks(of: $0).count }
