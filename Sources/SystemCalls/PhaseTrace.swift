import Foundation

/// `POOLNET_PHASES=1`: each phase of a run on stderr as it ends, with the milliseconds since the
/// first mark (`start`, the first thing `main` does), from whichever thread ends it. For finding
/// where a run's time goes on a host (docs/performance.md); off, a mark costs one load and a branch.
public enum PhaseTrace {
    static let on = ProcessInfo.processInfo.environment["POOLNET_PHASES"] == "1"
    static let start = Syscall.monotonic()

    public static func mark(_ phase: String) {
        guard on else { return }
        let ms = (Syscall.monotonic() - start) * 1000
        FileHandle.standardError.write(Data((String(format: "%7.1f ms ", ms) + phase + "\n").utf8))
    }

}
