/// Chained configuration hashes: each stage's hash covers its own settings and the previous stage's
/// hash, so changing one stage's settings invalidates that stage and every later one, and nothing
/// before it. Paths are never part of a hash.
public enum ConfigHash {
    public static func chain(_ settings: [(stage: StageID, settings: String)]) -> [StageID: String] {
        var previous = "entropyguard-config-v1"
        var result: [StageID: String] = [:]
        for (stage, description) in settings.sorted(by: { $0.stage < $1.stage }) {
            let hash = XXH3.hash128("\(previous)\n\(stage.name)\n\(description)").hex
            result[stage] = hash
            previous = hash
        }
        return result
    }
}
