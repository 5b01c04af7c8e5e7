import Foundation

/// A network namespace that exists for one test: created empty, filled with veth pairs standing in
/// for NICs, and deleted (with everything in it) when the test ends. Nothing outside it is touched.
public final class TestNamespace {
    public let name: String
    nonisolated(unsafe) private static var counter = 0

    /// Why a namespace cannot be made here, or nil when it can.
    public static var unavailableReason: String? {
        if getuid() != 0 { return "namespace tests need root (ip netns add)" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") && !FileManager.default.isExecutableFile(atPath: "/sbin/ip") {
            return "iproute2 (ip) is not installed"
        }
        return nil
    }

    public init(_ label: String = "t") throws {
        Self.counter += 1
        name = "pnt-\(getpid())-\(Self.counter)-\(label)".prefix(40).description
        try must("ip", "netns", "add", name)
        try ip("link", "set", "lo", "up")
    }

    deinit { _ = try? runProcess(["ip", "netns", "del", name]) }

    /// `ip -n NS ARGS…`
    @discardableResult
    public func ip(_ args: String...) throws -> String { try ip(args) }

    @discardableResult
    public func ip(_ args: [String]) throws -> String {
        let result = try runProcess(["ip", "-n", name] + args)
        guard result.status == 0 else { throw CommandFailed(argv: ["ip", "-n", name] + args, result: result) }
        return result.stdout
    }

    /// Several `ip` commands in one process (`ip -batch`).
    public func batch(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        let file = NSTemporaryDirectory() + "pn-batch-\(UUID().uuidString)"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try ip("-batch", file)
    }

    /// A veth pair; `name` plays a NIC, its peer stays in the namespace, down and unused.
    public func addNIC(_ nic: String) throws {
        try ip("link", "add", nic, "type", "veth", "peer", "name", String("p-\(nic)".prefix(15)))
    }

    /// `ip -j -d link show` as dictionaries, by name: an independent view of the kernel's state.
    public func links() throws -> [String: [String: Any]] {
        let json = try ip("-j", "-d", "link", "show")
        let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        return Dictionary(array.map { ($0["ifname"] as! String, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Addresses per link from `ip -j addr show`, as "ADDR/LEN" strings.
    public func addresses() throws -> [String: [String]] {
        let json = try ip("-j", "addr", "show")
        let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        var result: [String: [String]] = [:]
        for link in array {
            let infos = link["addr_info"] as? [[String: Any]] ?? []
            result[link["ifname"] as! String] = infos.map { "\($0["local"]!)/\($0["prefixlen"]!)" }
        }
        return result
    }

    /// Waits until the kernel has sent no link or address event for a second: linkwatch reports
    /// operstate and carrier changes up to a second late, and those are not anybody's writes.
    public func waitQuiet(attempts: Int = 10) throws {
        for _ in 0..<attempts {
            let probe = try monitor()
            Thread.sleep(forTimeInterval: 1.0)
            if probe.stop().isEmpty { return }
        }
        throw CommandFailed(argv: ["ip", "-n", name, "monitor"], result: ProcessResult(status: 1, stdout: "", stderr: "namespace never went quiet"))
    }

    /// Starts `ip monitor link address` in the namespace; `stop()` returns the events it saw.
    public func monitor() throws -> Monitor { try Monitor(namespace: name) }

    public final class Monitor {
        let process = Process()
        let pipe = Pipe()

        init(namespace: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ip", "-n", namespace, "monitor", "link", "address"]
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.3)  // let it subscribe before the test acts
        }

        public func stop() -> [String] {
            Thread.sleep(forTimeInterval: 0.3)  // let late events arrive
            process.terminate()
            process.waitUntilExit()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        }
    }
}
