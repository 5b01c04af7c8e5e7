import Foundation

/// Where the other managers keep their state; tests point these at trees captured from real runs.
public struct ForeignManagerRoots: Sendable {
    public var run: String
    public var etc: String
    public var varLib: String
    public var proc: String
    /// ifupdown2 keeps its state here (`state_dir`), not under /run.
    public var varTmp: String

    public init(run: String = "/run", etc: String = "/etc", varLib: String = "/var/lib", proc: String = "/proc", varTmp: String = "/var/tmp") {
        self.run = run
        self.etc = etc
        self.varLib = varLib
        self.proc = proc
        self.varTmp = varTmp
    }

    /// All of them under one directory (`DIR/run`, `DIR/etc`, …), as the test fixtures are laid out.
    public init(under directory: String) {
        self.init(run: "\(directory)/run", etc: "\(directory)/etc", varLib: "\(directory)/var/lib", proc: "\(directory)/proc",
                  varTmp: "\(directory)/var/tmp")
    }

    private var prefixes: [(host: String, root: String)] {
        [("/run/", run), ("/etc/", etc), ("/var/lib/", varLib), ("/var/tmp/", varTmp)]
    }

    /// The file a host path names under these roots (`/etc/network/interfaces` → `<etc>/network/interfaces`).
    func local(_ hostPath: String) -> String {
        for (prefix, root) in prefixes where hostPath.hasPrefix(prefix) { return root + "/" + hostPath.dropFirst(prefix.count) }
        return hostPath
    }

    /// The host path of a file found under these roots (the inverse of `local`).
    func host(_ local: String) -> String {
        for (prefix, root) in prefixes where local.hasPrefix(root + "/") { return prefix + local.dropFirst(root.count + 1) }
        return local
    }
}

/// Small bounded file reads shared by the detectors: a runtime or config file is never trusted to be small.
enum ForeignFile {
    static let maxBytes = 4 << 20

    static func text(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxBytes) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `KEY=VALUE` lines (networkd's and NetworkManager's runtime files), with their line numbers.
    static func keyValues(_ text: String) -> [String: (value: String, line: Int)] {
        var values: [String: (String, Int)] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = (String(line[line.index(after: eq)...]), number + 1)
        }
        return values
    }
}
