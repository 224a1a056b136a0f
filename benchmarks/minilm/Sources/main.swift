// minilm-bench: times SentenceEmbedder on a file of texts (one JSON string per line) and prints
// one JSON line per run plus a median, for benchmarks/minilm/run.sh.
import Foundation
import MiniLM

struct Options {
    var textsPath = ""
    var model = "all-MiniLM-L6-v2"
    var batchSize = 32
    var threads = 2
    var repeats = 3
    var label = "texts"
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let flag = arguments.next() {
        guard let value = arguments.next() else { break }
        switch flag {
        case "--texts": options.textsPath = value
        case "--model": options.model = value
        case "--batch-size": options.batchSize = Int(value) ?? options.batchSize
        case "--threads": options.threads = Int(value) ?? options.threads
        case "--repeats": options.repeats = Int(value) ?? options.repeats
        case "--label": options.label = value
        default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(64)
        }
    }
    return options
}

/// User + system CPU time of the whole process (all threads), robust to other jobs on the machine.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let options = parseOptions()
do {
    let content = try String(contentsOfFile: options.textsPath, encoding: .utf8)
    let texts = try content.split(separator: "\n").map {
        try JSONDecoder().decode(String.self, from: Data($0.utf8))
    }
    let embedder = try SentenceEmbedder(modelDirectory: ModelLocator.resolve(options.model), threads: options.threads)
    FileHandle.standardError.write(Data("minilm-bench: OpenBLAS core \(OpenBLASRuntime.coreName)\n".utf8))
    let tokens = texts.reduce(0) { $0 + embedder.tokenizer.encode($1).count }
    _ = embedder.embed(Array(texts.prefix(options.batchSize)), batchSize: options.batchSize)  // warm-up
    var rates: [Double] = []
    var cpuRates: [Double] = []
    for _ in 0..<options.repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = processCPUSeconds()
        let vectors = embedder.embed(texts, batchSize: options.batchSize)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        precondition(vectors.count == texts.count * embedder.dimension)
        rates.append(Double(texts.count) / seconds)
        cpuRates.append(Double(texts.count) / (processCPUSeconds() - cpuStart))
    }
    let median = rates.sorted()[rates.count / 2]
    let cpuMedian = cpuRates.sorted()[cpuRates.count / 2]
    let runs = rates.map { String(format: "%.1f", $0) }.joined(separator: ", ")
    print("{\"impl\": \"swift-minilm\", \"texts\": \"\(options.label)\", \"n\": \(texts.count), "
        + "\"mean_tokens\": \(String(format: "%.1f", Double(tokens) / Double(texts.count))), "
        + "\"batch_size\": \(options.batchSize), \"threads\": \(options.threads), "
        + "\"runs_sentences_per_s\": [\(runs)], \"median_sentences_per_s\": \(String(format: "%.1f", median)), "
        + "\"median_sentences_per_cpu_s\": \(String(format: "%.1f", cpuMedian))}")
} catch {
    FileHandle.standardError.write(Data("minilm-bench: \(error)\n".utf8))
    exit((error as? MiniLMError)?.isModelMissing == true ? 66 : 1)
}
