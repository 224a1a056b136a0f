import Foundation

/// Hyper-parameters of a BERT sentence-transformer, read from `config.json`,
/// `sentence_bert_config.json`, `1_Pooling/config.json` and (optionally) `tokenizer_config.json`.
struct ModelConfiguration: Equatable, Sendable {
    enum Pooling: Equatable, Sendable { case mean, cls }

    var vocabularySize: Int
    var hiddenSize: Int
    var layerCount: Int
    var headCount: Int
    var intermediateSize: Int
    var maxPositions: Int
    var typeVocabularySize: Int
    var layerNormEpsilon: Float
    /// Word pieces per text including `[CLS]` and `[SEP]`.
    var maxSequenceLength: Int
    var lowercase: Bool
    var stripAccents: Bool
    var pooling: Pooling

    var headSize: Int { hiddenSize / headCount }

    init(vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
         maxPositions: Int, typeVocabularySize: Int, layerNormEpsilon: Float, maxSequenceLength: Int,
         lowercase: Bool, stripAccents: Bool, pooling: Pooling) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.maxSequenceLength = maxSequenceLength
        self.lowercase = lowercase
        self.stripAccents = stripAccents
        self.pooling = pooling
    }

    /// Reads and validates the configuration files of `folder`.
    init(folder: URL) throws {
        let configURL = folder.appendingPathComponent("config.json")
        let config = try Self.readObject(configURL)
        func integer(_ key: String) throws -> Int {
            guard let value = (config[key] as? NSNumber)?.intValue, value > 0 else {
                throw MiniLMError.invalid(configURL, "missing or invalid \(key)")
            }
            return value
        }
        if let type = config["model_type"] as? String, type != "bert" {
            throw MiniLMError.invalid(configURL, "model_type \(type) is not supported (only bert)")
        }
        if let activation = config["hidden_act"] as? String, activation != "gelu" {
            throw MiniLMError.invalid(configURL, "hidden_act \(activation) is not supported (only gelu)")
        }
        if let embedding = config["position_embedding_type"] as? String, embedding != "absolute" {
            throw MiniLMError.invalid(configURL, "position_embedding_type \(embedding) is not supported")
        }
        vocabularySize = try integer("vocab_size")
        hiddenSize = try integer("hidden_size")
        layerCount = try integer("num_hidden_layers")
        headCount = try integer("num_attention_heads")
        intermediateSize = try integer("intermediate_size")
        maxPositions = try integer("max_position_embeddings")
        typeVocabularySize = (config["type_vocab_size"] as? NSNumber)?.intValue ?? 2
        layerNormEpsilon = (config["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
        guard hiddenSize % headCount == 0 else {
            throw MiniLMError.invalid(configURL, "hidden_size \(hiddenSize) not divisible by \(headCount) heads")
        }

        let sentenceURL = folder.appendingPathComponent("sentence_bert_config.json")
        let sentence = try Self.readObject(sentenceURL)
        let requested = (sentence["max_seq_length"] as? NSNumber)?.intValue ?? maxPositions
        guard requested >= 2 else { throw MiniLMError.invalid(sentenceURL, "max_seq_length \(requested) < 2") }
        maxSequenceLength = min(requested, maxPositions)

        // BertTokenizer defaults: lowercase, and strip accents whenever lowercasing.
        let tokenizerURL = folder.appendingPathComponent("tokenizer_config.json")
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerURL.path)
            ? try Self.readObject(tokenizerURL) : [:]
        lowercase = (tokenizer["do_lower_case"] as? NSNumber)?.boolValue ?? true
        stripAccents = (tokenizer["strip_accents"] as? NSNumber)?.boolValue ?? lowercase

        let poolingURL = folder.appendingPathComponent("1_Pooling/config.json")
        let poolingConfig = try Self.readObject(poolingURL)
        func flag(_ key: String) -> Bool { (poolingConfig[key] as? NSNumber)?.boolValue ?? false }
        if let dimension = (poolingConfig["word_embedding_dimension"] as? NSNumber)?.intValue,
           dimension != hiddenSize {
            throw MiniLMError.invalid(poolingURL, "word_embedding_dimension \(dimension) != hidden_size \(hiddenSize)")
        }
        let modes = ["pooling_mode_mean_tokens", "pooling_mode_cls_token", "pooling_mode_max_tokens",
                     "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
                     "pooling_mode_lasttoken"].filter(flag)
        switch modes {
        case ["pooling_mode_mean_tokens"]: pooling = .mean
        case ["pooling_mode_cls_token"]: pooling = .cls
        default:
            throw MiniLMError.invalid(poolingURL, "unsupported pooling \(modes) (mean or cls only)")
        }
    }

    private static func readObject(_ url: URL) throws -> [String: Any] {
        guard let data = try? Data(contentsOf: url) else {
            throw MiniLMError.missing(url.deletingLastPathComponent(), detail: "cannot read \(url.lastPathComponent)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MiniLMError.invalid(url, "not a JSON object")
        }
        return object
    }
}
