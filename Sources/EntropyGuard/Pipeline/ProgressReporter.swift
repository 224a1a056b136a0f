import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Human-facing messages and a progress line, all on stderr (stdout carries data only).
/// The progress line is drawn only when stderr is a terminal and the run is not --quiet.
public final class ProgressReporter {
    private let quiet: Bool
    private let drawsBar: Bool
    private var stage = ""
    private var total: Int?
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var barVisible = false

    public init(quiet: Bool, showProgress: Bool) {
        self.quiet = quiet
        drawsBar = showProgress && !quiet && isatty(STDERR_FILENO) != 0
    }

    /// An informational line (suppressed by --quiet).
    public func info(_ message: String) {
        guard !quiet else { return }
        clearBar()
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A warning, shown even with --quiet.
    public func warn(_ message: String) {
        clearBar()
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }

    public func begin(stage: String, total: Int?) {
        self.stage = stage
        self.total = total
        started = Date()
        lastDraw = .distantPast
    }

    /// Redraws the bar at most ten times a second. `fraction` (0...1) gives the ETA when the total
    /// row count is unknown (ingest knows bytes read, not rows).
    public func update(done: Int, fraction: Double? = nil) {
        guard drawsBar else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 1e-6)
        let rate = Double(done) / elapsed
        var line = "\r\u{1B}[2K\(stage): \(done)"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += "/\(total) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            if rate > 0 { line += " ETA \(Self.duration(Double(total - done) / rate))" }
        }
        if total == nil, let fraction, fraction > 0 {
            line += String(format: " (%.0f%%) ETA ", fraction * 100) + Self.duration(elapsed * (1 - fraction) / fraction)
        }
        line += " \(Int(rate)) rows/s"
        FileHandle.standardError.write(Data(line.utf8))
        barVisible = true
    }

    public func end() { clearBar() }

    private func clearBar() {
        guard barVisible else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        barVisible = false
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
