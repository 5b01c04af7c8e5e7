import Foundation

/// A program a test runs is not installed: the failure names it, its Debian package and the
/// project script that installs it, instead of a test-specific symptom ("guest does not reach …").
public struct MissingProgram: Error, CustomStringConvertible {
    public var program: String

    public init(program: String) { self.program = program }

    /// Where each program the tests run comes from (scripts/check-test-programs keeps the scripts'
    /// lists complete; this only makes the message precise).
    static let installedBy: [String: (package: String, script: String)] = [
        "ip": ("iproute2", "scripts/deps"), "bridge": ("iproute2", "scripts/deps"),
        "ping": ("iputils-ping", "scripts/deps"), "sysctl": ("procps", "scripts/deps"), "pkill": ("procps", "scripts/deps"),
        "setpriv": ("util-linux", "scripts/deps"), "mount": ("mount", "scripts/deps"), "umount": ("mount", "scripts/deps"), "promtool": ("prometheus, promtool only", "scripts/deps"),
        "valgrind": ("valgrind", "scripts/deps"), "strip": ("binutils", "scripts/deps"),
        "dot": ("graphviz", "scripts/py-setup"),
        "iscsiadm": ("open-iscsi", "scripts/vm-setup"), "multipath": ("multipath-tools", "scripts/vm-setup"),
        "multipathd": ("multipath-tools", "scripts/vm-setup"), "tgtadm": ("tgt", "scripts/vm-setup"),
    ]

    public var description: String {
        guard let source = Self.installedBy[program] else { return "\(program) is not installed" }
        return "\(program) is not installed (Debian package \(source.package); \(source.script) installs it)"
    }

    /// The absolute path of `program` on PATH, or nil.
    public static func path(of program: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let dirs = (environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":")
        return dirs.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The program an argv runs: argv[0], or the one `ip netns exec NS PROGRAM …` runs inside.
    static func program(of argv: [String]) -> [String] {
        if argv.count > 4, argv[0] == "ip", argv[1] == "netns", argv[2] == "exec" { return ["ip", argv[4]] }
        return Array(argv.prefix(1))
    }
}

/// Fails (throws) when `program` is not installed, naming it and how to install it.
public func requireProgram(_ program: String) throws {
    if MissingProgram.path(of: program) == nil { throw MissingProgram(program: program) }
}
