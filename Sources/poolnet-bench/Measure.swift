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
    /// User-space instructions, counted by callgrind under `--count instructions`; 0 otherwise.
    var instructions = 0

    /// Two programs run one after the other: their times add, the peak is the larger one.
    static func + (a: Sample, b: Sample) -> Sample {
        Sample(seconds: a.seconds + b.seconds, cpuSeconds: a.cpuSeconds + b.cpuSeconds, systemSeconds: a.systemSeconds + b.systemSeconds, maxRSSKB: max(a.maxRSSKB, b.maxRSSKB),
               status: a.status == 0 ? b.status : a.status, instructions: a.instructions + b.instructions)
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

    /// `--count instructions`: every measured command runs under callgrind, which counts the
    /// user-space instructions it executes, the same figure whatever else loads the machine and
    /// under emulation, where wall time measures the emulator (the VM tier). The kernel's work is not
    /// in it.
    nonisolated(unsafe) static var countingIn: String?

    /// A command whose figures go into the table: timed, or run under callgrind when counting.
    static func measured(_ argv: [String], ok: Set<Int32> = [0]) throws -> Sample {
        guard let dir = countingIn else { return try must(argv, ok: ok) }
        // One file per process, all summed: children are followed, and a program that execs another
        // (`ip netns exec ... sysctl`) is counted from the exec on.
        let outputs = dir + "/callgrind"
        try? FileManager.default.removeItem(atPath: outputs)
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        var sample = try must(["valgrind", "--tool=callgrind", "-q", "--trace-children=yes",
                               "--callgrind-out-file=" + outputs + "/%p"] + argv, ok: ok)
        let counts = try FileManager.default.contentsOfDirectory(atPath: outputs).map { name -> Int in
            guard let text = try? String(contentsOfFile: outputs + "/" + name, encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("summary: ") }),
                  let count = Int(line.dropFirst("summary: ".count)) else {
                throw BenchError("callgrind's \(name) holds no instruction count for \(argv.joined(separator: " "))")
            }
            return count
        }
        guard !counts.isEmpty else { throw BenchError("callgrind counted nothing for \(argv.joined(separator: " "))") }
        sample.instructions = counts.reduce(0, +)
        return sample
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
