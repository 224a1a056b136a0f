// static-bench: embedding throughput of the static model against MiniLM on the same texts (one JSON
// string per line), plus the static model's tokenization alone (the same tokenizer calls, split over
// the threads the same way), for benchmarks/static/run.sh. One JSON line per model.
import Dispatch
import Foundation
import MiniLM

struct Options {
    var textsPath = ""
    var staticModel = "all-MiniLM-L6-v2-static"
    var minilm = "all-MiniLM-L6-v2"
    var minilmTexts = 1000
    var threads = 2
    var repeats = 3
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let flag = arguments.next() {
        guard let value = arguments.next() else { break }
        switch flag {
        case "--texts": options.textsPath = value
        case "--static": options.staticModel = value
        case "--minilm": options.minilm = value
        case "--minilm-texts": options.minilmTexts = Int(value) ?? options.minilmTexts
        case "--threads": options.threads = Int(value) ?? options.threads
        case "--repeats": options.repeats = Int(value) ?? options.repeats
        default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(64)
        }
    }
    return options
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func report(_ impl: String, texts: Int, rates: [Double], extra: String = "") {
    let runs = rates.map { String(format: "%.0f", $0) }.joined(separator: ", ")
    print("{\"impl\": \"\(impl)\", \"n\": \(texts), \"runs_texts_per_s\": [\(runs)], "
        + "\"median_texts_per_s\": \(String(format: "%.0f", median(rates)))\(extra)}")
}

let options = parseOptions()
do {
    let content = try String(contentsOfFile: options.textsPath, encoding: .utf8)
    let texts = try content.split(separator: "\n").map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    let staticEmbedder = try StaticEmbedder(modelDirectory: ModelLocator.resolve(options.staticModel), threads: options.threads)
    let minilm = try SentenceEmbedder(modelDirectory: ModelLocator.resolve(options.minilm), threads: options.threads)
    let tokenizer = staticEmbedder.tokenizer
    let tokens = texts.prefix(10_000).reduce(0) { $0 + tokenizer.encode($1).count - 2 }
    FileHandle.standardError.write(Data("static-bench: \(texts.count) texts, \(bytes / texts.count) bytes and \(tokens / min(texts.count, 10_000)) word pieces each\n".utf8))

    var staticRates: [Double] = [], tokenizeRates: [Double] = [], minilmRates: [Double] = []
    let subset = Array(texts.prefix(options.minilmTexts))
    _ = minilm.embed(Array(subset.prefix(32)), batchSize: 32)
    for _ in 0..<options.repeats {
        // Interleaved, so load changes on the shared machine hit all three alike.
        staticRates.append(Double(texts.count) / seconds { _ = staticEmbedder.embed(texts) })
        tokenizeRates.append(Double(texts.count) / seconds {
            let tasks = (texts.count + StaticEmbedder.textsPerTask - 1) / StaticEmbedder.textsPerTask
            var counts = [Int](repeating: 0, count: tasks)
            counts.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                DispatchQueue.concurrentPerform(iterations: tasks) { task in
                    let end = min(texts.count, (task + 1) * StaticEmbedder.textsPerTask)
                    var total = 0
                    var ids: [Int32] = []   // as StaticEmbedder.embed tokenizes: one reused buffer per work item
                    for index in (task * StaticEmbedder.textsPerTask)..<end {
                        tokenizer.encode(texts[index], into: &ids, maxLength: staticEmbedder.maxTokens, addSpecialTokens: false)
                        total += ids.count
                    }
                    base[task] = total
                }
            }
            precondition(counts.reduce(0, +) > 0)
        })
        minilmRates.append(Double(subset.count) / seconds { _ = minilm.embed(subset, batchSize: 32) })
    }
    let share = median(staticRates) / median(tokenizeRates)
    report("static", texts: texts.count, rates: staticRates,
           extra: ", \"tokenization_share\": \(String(format: "%.3f", share))")
    report("static-tokenize-only", texts: texts.count, rates: tokenizeRates)
    report("minilm", texts: subset.count, rates: minilmRates)
} catch {
    FileHandle.standardError.write(Data("static-bench: \(error)\n".utf8))
    exit((error as? MiniLMError)?.isModelMissing == true ? 66 : 1)
}
