import Foundation
import XCTest

/// libc is called from Sources/SystemCalls/Syscalls.swift alone (and C from the Netlink target,
/// which owns libmnl and libnl): this greps every other source file for the C calls poolnet
/// makes and fails naming file:line, so that a new one goes through a wrapper.
final class SyscallPlacementTests: XCTestCase {
    /// Files allowed to call C, relative to the package root.
    static let allowed = ["Sources/Netlink/", "Sources/SystemCalls/Syscalls.swift"]

    /// Bare calls of these libc functions (not `.name(`, `func name(` or `case name(`, and never with
    /// an argument label, which no C function has), or any call through
    /// the `Glibc.` / `Foundation.` module qualifier that names a C function.
    static let patterns = [
        #"(?<![\w.])(?<!func )(?<!case )(posix_spawn\w*|waitpid|wait4|kill|poll|pipe|flock|fsync|fdatasync|ftruncate|pread|pwrite|socket|setsockopt|getsockopt|connect|sendto|recvfrom|sendmsg|recvmsg|openlog|syslog|vsyslog|closelog|glob|globfree|strerror|raise|sigaction|signal|clock_gettime|dup2|fcntl|open|close|unlink|rename|mkdir|lstat|fstat|stat|access|geteuid|getpid|usleep|getpwuid|inet_pton|if_nametoindex|opendir|readdir|inet_ntop)\((?!\s*\w+:)"#,
        #"\b(Glibc|Foundation)\.(read|write|open|close|bind|connect|sendto|glob|kill|poll|pipe)\("#,
    ]

    static func violations(in text: String, file: String) -> [String] {
        let expressions = patterns.map { try! NSRegularExpression(pattern: $0) }
        var found: [String] = []
        for (number, line) in text.components(separatedBy: "\n").enumerated() {
            // Code only: what follows `//` is a comment (a string holding `//` is rare enough here).
            let code = line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line
            let range = NSRange(code.startIndex..., in: code)
            for expression in expressions {
                if let match = expression.firstMatch(in: code, range: range), let r = Range(match.range, in: code) {
                    found.append("\(file):\(number + 1): \(code[r]) (call it through Syscall, in Sources/SystemCalls/Syscalls.swift)")
                }
            }
        }
        return found
    }

    func testLibcIsCalledOnlyFromSyscalls() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.map { "Sources/\($0)" }.sorted()
        XCTAssertGreaterThan(files.count, 50, "the sources were not found under \(sources.path)")
        var violations: [String] = []
        var scanned = 0
        for file in files where !Self.allowed.contains(where: { file.hasPrefix($0) }) {
            let text = try String(contentsOfFile: root.appendingPathComponent(file).path, encoding: .utf8)
            violations += Self.violations(in: text, file: file)
            scanned += 1
        }
        XCTAssertGreaterThan(scanned, 50)
        XCTAssert(violations.isEmpty, "libc called outside Sources/SystemCalls/Syscalls.swift:\n" + violations.joined(separator: "\n"))
    }

    /// Each C library is imported where it belongs: libmnl and libnl by the Netlink target, libyaml
    /// (the copy Yams carries) by the parser's composer alone.
    func testCLibrariesAreImportedOnlyWhereTheyBelong() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: root.appendingPathComponent("Sources").path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.map { "Sources/\($0)" }.sorted()
        let homes = ["CNetlink": "Sources/Netlink/", "CMnl": "Sources/Netlink/", "CYaml": "Sources/Topology/YAMLComposer.swift"]
        let expression = try NSRegularExpression(pattern: #"^\s*(?:@_implementationOnly |internal |public |private )?import\s+(C\w+)"#, options: .anchorsMatchLines)
        var found: [String] = [], importers: Set<String> = []
        for file in files {
            let text = try String(contentsOfFile: root.appendingPathComponent(file).path, encoding: .utf8)
            for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let module = String(text[Range(match.range(at: 1), in: text)!])
                importers.insert(module)
                if let home = homes[module], file.hasPrefix(home) { continue }
                found.append("\(file): import \(module) (\(homes[module].map { "belongs in \($0)" } ?? "a C module with no home"))")
            }
        }
        XCTAssertEqual(importers, Set(homes.keys), "the scan found the imports")
        XCTAssert(found.isEmpty, found.joined(separator: "\n"))
    }

    /// The scanner finds what it is meant to find, and leaves wrappers, methods and comments alone.
    func testTheScannerCatchesCallsAndSparesWrappers() {
        let caught = """
        let fd = socket(AF_INET, 1, 0)
            guard flock(fd, LOCK_EX) == 0 else { return }
        let n = Foundation.read(fd, &b, 4)
        kill(getpid(), SIGKILL)
        posix_spawn_file_actions_init(&a)
        var info = stat()
        """
        XCTAssertEqual(Self.violations(in: caught, file: "X.swift").map { String($0.prefix(while: { $0 != " " })) },
                       ["X.swift:1:", "X.swift:2:", "X.swift:3:", "X.swift:4:", "X.swift:5:", "X.swift:6:"])
        let spared = """
        try Syscall.kill(pid, SIGHUP)
        func kill(_ pid: Int32) {}
        case pipe(Errno)
        help: "to syslog (the journal)"
        // poll(2) for input
        let sample = try Measure.run(argv)
        close(to: depth)
        handle.write(contentsOf: data)
        """
        XCTAssertEqual(Self.violations(in: spared, file: "Y.swift"), [])
    }
}
