/// Sees every byte an `AtomicFile` writes, in file order, as it is written (the sequential writes and
/// the bytes `copy(from:count:)` takes from another file): its owner can hash the file while it is
/// written instead of reading it back after `commit()`. EntropyGuard's `XXH3FileObserver` does; this
/// module depends on nothing else in the project, so it only declares the hook.
public protocol AtomicFileObserver: AnyObject {
    /// The next bytes of the file (valid only during the call).
    func observe(_ bytes: UnsafeRawBufferPointer)
}
