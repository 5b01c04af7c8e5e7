import Foundation
import SystemCalls

/// One timed run of a program: wall time, and CPU time (user + system, and system alone) and peak RSS from
/// wait4's rusage. The CPU time is the steadier figure on a machine others are loading.
struct Sample: Codable {
    var seconds: Double
    var cpuSeconds: Double
    /// The system (kernel) part of `cpuSeconds`.
    var systemSeconds: Double
    var maxRSSKB: Int
    var status: Int32

    /// Two programs run one after the other: their times add, the peak is the larger one.
    static func + (a: Sample, b: Sample) -> Sample {
        Sample(seconds: a.seconds + b.seconds, cpuSeconds: a.cpuSeconds + b.cpuSeconds, systemSeconds: a.systemSeconds + b.systemSeconds, maxRSSKB: max(a.maxRSSKB, b.maxRSSKB),
               status: a.status == 0 ? b.status : a.status)
    }
}

enum Measure {
    /// Runs argv (no shell), stdout/stderr to /dev/null, and times it.
    static func run(_ argv: [String]) throws -> Sample {
        do {
            let run = try Subprocess.measure(argv)
            return Sample(seconds: run.seconds, cpuSeconds: run.exit.cpuSeconds, systemSeconds: run.exit.systemSeconds, maxRSSKB: run.exit.maxRSSKB, status: (run.exit.rawStatus >> 8) & 0xff)
        } catch {
            throw BenchError("cannot start \(argv[0]): \(error.text)")
        }
    }

    /// Runs argv and fails unless it exits with one of `ok`.
    @discardableResult
    static func must(_ argv: [String], ok: Set<Int32> = [0]) throws -> Sample {
        let s = try run(argv)
        guard ok.contains(s.status) else { throw BenchError("\(argv.joined(separator: " ")) exited \(s.status)") }
        return s
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
