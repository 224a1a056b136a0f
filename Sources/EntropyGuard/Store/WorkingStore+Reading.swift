/// Opening a checkpoint dir's store for the commands that only read it (`explain`, `report`).
extension WorkingStore {
    /// The store of `directory`, checked (StoreConsistency). Fails with exit 66 when there is none, 74
    /// when it is damaged; a store made with another stage list is refused, not reset.
    public static func openForReading(directory: String) throws -> WorkingStore {
        guard exists(in: directory) else {
            throw EntropyGuardError(.noInput, "\(directory): no EntropyGuard store here (entropyguard.sqlite is missing)")
        }
        do {
            let store = try WorkingStore(directory: directory)
            try StoreConsistency.check(store)
            return store
        } catch {
            guard let damage = StoreDamage(error) else { throw error }
            throw EntropyGuardError(.ioError, "\(path(in: directory)) is damaged (\(damage.reason)): its rows cannot be trusted")
        }
    }
}
