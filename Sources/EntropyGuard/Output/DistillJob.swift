import Foundation
import MiniLM

/// `entropyguard distill`: a static model from a sentence-transformer (model2vec's method, on our own
/// encoder; see ``StaticModelDistiller``), written into the models folder. A folder already holding
/// the same distillation (same source files, dimension and settings, by its config) is left alone
/// unless `force`.
public struct DistillJob {
    /// The static model's name when none is given: what `scripts/fetch-model` makes.
    public static let defaultName = "all-MiniLM-L6-v2-static"
    /// `--dims` when not given.
    public static let defaultDimension = StaticModelDistiller.defaultDimension

    public let sourceModel: String
    public let dimension: Int
    public let name: String
    public let force: Bool
    public let progress: ProgressReporter

    public init(sourceModel: String, dimension: Int, name: String, force: Bool, progress: ProgressReporter) {
        self.sourceModel = sourceModel
        self.dimension = dimension
        self.name = name
        self.force = force
        self.progress = progress
    }

    /// Returns the model folder and whether it was written (false: already current).
    public func run() throws -> (folder: URL, distilled: Bool) {
        let source: URL
        do {
            source = try ModelLocator.resolve(sourceModel)
        } catch let error as MiniLMError {
            throw EntropyGuardError(error.isModelMissing ? .noInput : .dataError, error.description)
        }
        guard EmbeddingModelKind.of(source) == .transformer else {
            throw EntropyGuardError(.usage, "--model-name \(sourceModel): \(source.path) is already a static model; distil from a sentence-transformer")
        }
        let destination = ModelLocator.folder(for: name)
        guard destination != source else { throw EntropyGuardError(.usage, "--name \(name) would overwrite the source model") }
        let distiller = StaticModelDistiller(source: source, dimension: dimension)
        do {
            if !force, try distiller.isCurrent(at: destination) {
                progress.info("distill: \(destination.path) is up to date (same source, \(dimension) dims); --force distils again")
                return (destination, false)
            }
            let started = Date()
            var nextReport = 1
            let configuration = try distiller.distill(into: destination) { phase, done, total in
                progress.begin(stage: "distill \(phase)", total: total)
                progress.update(done: done)
                // Plain lines too, for logs (the bar is drawn only on a terminal).
                if phase == "encode" && done * 4 >= nextReport * total {
                    progress.info("distill: encoded \(done) of \(total) tokens (\(Self.seconds(since: started)))")
                    nextReport = done * 4 / max(total, 1) + 1
                }
            }
            progress.end()
            progress.info("distill: \(configuration.distilledTokens) tokens → \(configuration.dimension) dims "
                + "(PCA keeps \(String(format: "%.1f", configuration.explainedVarianceRatio * 100))% of the variance), "
                + "recommended threshold \(configuration.recommendedThreshold); wrote \(destination.path) in \(Self.seconds(since: started))")
            return (destination, true)
        } catch let error as MiniLMError {
            throw EntropyGuardError(error.isModelMissing ? .noInput : .dataError, error.description)
        } catch let error as StaticModelDistiller.DimensionOutOfRange {
            throw EntropyGuardError(.usage, error.description)
        } catch let error as EntropyGuardError {
            throw error
        } catch {
            throw EntropyGuardError(.cannotCreate, "cannot write the model into \(destination.path): \(error.localizedDescription)")
        }
    }

    static func seconds(since start: Date) -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }
}
