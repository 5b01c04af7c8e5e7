import Foundation

/// One timed run of a program: wall time and peak RSS from wait4's rusage.
struct Sample: Codable {
    var seconds: Double
    var maxRSSKB: Int
    var status: Int32

    /// Two programs run one after the other: their times add, the peak is the larger one.
    static func + (a: Sample, b: Sample) -> Sample {
        Sample(seconds: a.seconds + b.seconds, maxRSSKB: max(a.maxRSSKB, b.maxRSSKB), status: a.status == 0 ? b.status : a.status)
    }
}

enum Measure {
    /// Runs argv (no shell), stdout/stderr to /dev/null, and times it.
    static func run(_ argv: [String]) throws -> Sample {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid = pid_t()
        let start = DispatchTime.now()
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cargs, environ)
        guard rc == 0 else { throw BenchError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return Sample(seconds: seconds, maxRSSKB: usage.ru_maxrss, status: (status >> 8) & 0xff)
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
