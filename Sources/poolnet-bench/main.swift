import Foundation
import SystemCalls

// poolnet-bench [--sizes 10,100,1000] [--runs 3] [--workload KIND] [--poolnet PATH] [--json FILE] [--prune yes|no]
//               [--write-files DIR] [--count time|instructions]
// Times poolnet against `ip -batch` on W(N) in fresh network namespaces, side by side in one run;
// `--count instructions` counts each command's user-space instructions under callgrind instead
// (needs valgrind; deterministic, and the figure to compare where wall time is an emulator's).
var sizes = [10, 100, 1000]
var runs = 3
var poolnet = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("poolnet").path
var jsonPath: String?
var kind = Workload.Kind.bridges
// `--prune no` leaves out the prune row: `ip` deleting 1,000 devices one by one takes a minute or
// two per run, and pruning is bounded by the kernel's per-device cost (docs/performance.md).
var prune = true
// `--write-files DIR` writes the first size's files (full.yaml, small.yaml, nics.batch, create.batch)
// and exits: the same files a run times, for profiling one command by hand.
var writeFilesTo: String?
var countInstructions = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    guard let value = args.first else { fatalError("\(flag) needs a value") }
    args.removeFirst()
    switch flag {
    case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }
    case "--runs": runs = max(1, Int(value) ?? 3)
    case "--poolnet": poolnet = value
    case "--json": jsonPath = value
    case "--write-files": writeFilesTo = value
    case "--count":
        guard value == "time" || value == "instructions" else { fatalError("--count: time or instructions") }
        countInstructions = value == "instructions"
    case "--prune":
        guard value == "yes" || value == "no" else { fatalError("--prune: yes or no") }
        prune = value == "yes"
    case "--workload":
        guard let k = Workload.Kind(rawValue: value) else {
            fatalError("--workload: one of \(Workload.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        kind = k
    default: fatalError("unknown option \(flag)")
    }
}

struct Row: Codable {
    var workload: String
    var n: Int
    var operation: String
    var poolnetSeconds: Double
    var ipSeconds: Double
    var ratio: Double
    var poolnetCPUSeconds: Double
    var ipCPUSeconds: Double
    /// The kernel's part of the CPU columns (rusage's system time).
    var poolnetSystemSeconds: Double
    var ipSystemSeconds: Double
    var poolnetMaxRSSMB: Double
    var ipMaxRSSMB: Double
    /// Medians of the user-space instruction counts, under `--count instructions` only.
    var poolnetInstructions: Int?
    var ipInstructions: Int?
}

if let out = writeFilesTo {
    let w = Workload(kind: kind, n: sizes.first ?? 1000, dir: out)
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    for (name, text) in [("full.yaml", w.topology()), ("small.yaml", w.topology(smallChange: true)),
                         ("nics.batch", w.nics), ("create.batch", w.ipCreate)] {
        print(try w.write(name, text))
    }
    exit(0)
}

let dir = NSTemporaryDirectory() + "poolnet-bench-\(Syscall.processID)"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
// Named after this process: two benchmarks run at once (engineers share a host) must not
// build into, time or delete each other's namespaces.
if countInstructions {
    Measure.countingIn = dir
    // valgrind 3.19 stops at the DWARF 5 debug info Swift writes; the code counted is the same without it.
    let stripped = dir + "/poolnet"
    guard (try? Measure.run(["strip", "--strip-debug", "-o", stripped, poolnet]))?.status == 0 else {
        throw BenchError("--count instructions: cannot copy \(poolnet) without its debug info (strip, from binutils)")
    }
    poolnet = stripped
}
let (nsP, nsI) = ("pnbench-p-\(Syscall.processID)", "pnbench-i-\(Syscall.processID)")
var rows: [Row] = []

for n in sizes {
    let w = Workload(kind: kind, n: n, dir: dir)
    let full = try w.write("full.yaml", w.topology())
    let small = try w.write("small.yaml", w.topology(smallChange: true))
    let empty = try w.write("empty.yaml", "pool: bench\nhosts: [b1]\n")
    let state = dir + "/state"
    func pn(_ args: String...) -> [String] { [poolnet] + args + ["--host", "b1", "--netns", nsP] }
    var samples: [String: (p: [Sample], i: [Sample])] = [:]
    func add(_ op: String, _ p: Sample, _ i: Sample) {
        samples[op, default: ([], [])].p.append(p)
        samples[op, default: ([], [])].i.append(i)
    }
    for run in 0..<runs {
        try w.freshNamespace(nsP)
        try w.freshNamespace(nsI)
        // Who goes first alternates, so that neither always meets the kernel's leftovers.
        // The ip side: `ip -batch`, then `bridge -batch` (FDB, port VLANs) and `sysctl -p` when the workload has them.
        let createIP = {
            var sample = try Measure.measured(["ip", "-n", nsI, "-batch", try w.write("create.batch", w.ipCreate)])
            if let batch = w.poolBridgeCreate { sample = sample + (try Measure.measured(["bridge", "-n", nsI, "-batch", try w.write("create.bridge", batch)])) }
            if let sysctls = w.poolSysctls {
                sample = sample + (try Measure.measured(["ip", "netns", "exec", nsI, "sysctl", "-q", "-p", try w.write("create.sysctl", sysctls)]))
            }
            return sample
        }
        let iFirst = run % 2 == 1 ? try createIP() : nil
        // Create and small change are measured cold: a new file has no validation cache entry yet.
        // The no-op rows find the entry the create recorded, as cron's check after an apply does.
        try? Syscall.unlink(state + "/validated")
        let pCreate = try Measure.measured(pn("apply", full, "--state-dir", state), ok: [2])
        let iCreate = try iFirst ?? createIP()
        add("create from scratch", pCreate, iCreate)

        let iRead1 = try Measure.measured(["ip", "-n", nsI, "-j", "-d", "link", "show"])
        let iRead2 = try Measure.measured(["ip", "-n", nsI, "-j", "addr", "show"])
        var iRead = iRead1 + iRead2
        if w.kind == .vxlan || w.kind == .mixed { iRead = iRead + (try Measure.measured(["bridge", "-n", nsI, "-j", "fdb", "show"])) }
        if w.kind == .vlanAware { iRead = iRead + (try Measure.measured(["bridge", "-n", nsI, "-j", "vlan", "show"])) }
        // The floor under every row: starting each program and doing nothing. Under emulation (the VM
        // tier) a start alone can exceed the no-op target; this row says how much of a time it is.
        add("process start (--version, -V)", try Measure.measured([poolnet, "--version"]), try Measure.measured(["ip", "-V"]))
        add("no-op plan", try Measure.measured(pn("plan", full, "--state-dir", state)), iRead)
        add("no-op check", try Measure.measured(pn("check", full, "--state-dir", state)), iRead)
        add("no-op apply", try Measure.measured(pn("apply", full, "--state-dir", state)), iRead)

        try? Syscall.unlink(state + "/validated")
        add("small change (1 MTU, 1 address)", try Measure.measured(pn("apply", small, "--state-dir", state), ok: [2]),
            try {
                var sample = try Measure.measured(["ip", "-n", nsI, "-batch", try w.write("small.batch", w.ipSmallChange)])
                if let batch = w.poolBridgeSmallChange { sample = sample + (try Measure.measured(["bridge", "-n", nsI, "-batch", try w.write("small.bridge", batch)])) }
                return sample
            }())
        if prune {
            add("prune all (poolnet) vs delete one by one (ip)", try Measure.measured(pn("apply", empty, "--state-dir", state), ok: [2]),
                try Measure.measured(["ip", "-n", nsI, "-batch", try w.write("delete.batch", w.ipDelete)]))
        } else {
            // Untimed: the links both tools created join the NICs' group, so that the next run's
            // group delete takes them down before it starts, not during its timings.
            let regroup = w.ipDelete.split(separator: "\n").compactMap { line -> String? in
                line.hasPrefix("link del ") ? "link set \(line.dropFirst("link del ".count)) group \(Workload.nicGroup)" : nil
            }.joined(separator: "\n") + "\n"
            for ns in [nsP, nsI] { _ = try? Measure.run(["ip", "-force", "-n", ns, "-batch", try w.write("regroup.batch", regroup)]) }
        }
    }
    for (op, s) in samples.sorted(by: { $0.key < $1.key }) {
        let p = Measure.median(s.p.map(\.seconds)), i = Measure.median(s.i.map(\.seconds))
        rows.append(Row(workload: kind.rawValue, n: n, operation: op, poolnetSeconds: p, ipSeconds: i, ratio: i > 0 ? p / i : 0,
                        poolnetCPUSeconds: Measure.median(s.p.map(\.cpuSeconds)), ipCPUSeconds: Measure.median(s.i.map(\.cpuSeconds)),
                        poolnetSystemSeconds: Measure.median(s.p.map(\.systemSeconds)), ipSystemSeconds: Measure.median(s.i.map(\.systemSeconds)),
                        poolnetMaxRSSMB: Double(s.p.map(\.maxRSSKB).max() ?? 0) / 1024, ipMaxRSSMB: Double(s.i.map(\.maxRSSKB).max() ?? 0) / 1024,
                        poolnetInstructions: countInstructions ? Int(Measure.median(s.p.map { Double($0.instructions) })) : nil,
                        ipInstructions: countInstructions ? Int(Measure.median(s.i.map { Double($0.instructions) })) : nil))
    }
    Workload.deleteNamespace(nsP)
    Workload.deleteNamespace(nsI)
}

if countInstructions {
    // Times under callgrind say nothing; the counts are the table.
    func millions(_ n: Int?) -> String { String(format: "%.1f M", Double(n ?? 0) / 1e6) }
    print("| N | operation | poolnet instructions | ip instructions | poolnet / ip |")
    print("|---|---|---|---|---|")
    for r in rows {
        let ratio = (r.ipInstructions ?? 0) > 0 ? Double(r.poolnetInstructions ?? 0) / Double(r.ipInstructions ?? 1) : 0
        print("| \(r.n) | \(r.operation) | \(millions(r.poolnetInstructions)) | \(millions(r.ipInstructions)) | \(String(format: "%.2f×", ratio)) |")
    }
} else {
    print("| N | operation | poolnet | ip | poolnet / ip | poolnet CPU | ip CPU | poolnet sys | ip sys | poolnet peak RSS | ip peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows {
        print("| \(r.n) | \(r.operation) | \(String(format: "%.3f s", r.poolnetSeconds)) | \(String(format: "%.3f s", r.ipSeconds)) | \(String(format: "%.2f×", r.ratio)) | \(String(format: "%.3f s", r.poolnetCPUSeconds)) | \(String(format: "%.3f s", r.ipCPUSeconds)) | \(String(format: "%.3f s", r.poolnetSystemSeconds)) | \(String(format: "%.3f s", r.ipSystemSeconds)) | \(String(format: "%.0f MB", r.poolnetMaxRSSMB)) | \(String(format: "%.0f MB", r.ipMaxRSSMB)) |")
    }
}
print("(workload \(kind.rawValue); medians of \(runs) runs; ip reads = ip -j -d link show + ip -j addr show\(kind == .vxlan || kind == .mixed ? " + bridge -j fdb show" : kind == .vlanAware ? " + bridge -j vlan show" : ""))")
if let jsonPath {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(rows).write(to: URL(fileURLWithPath: jsonPath))
}
