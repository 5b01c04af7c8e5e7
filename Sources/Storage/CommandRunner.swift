import Foundation
import SystemCalls

/// What a command printed and how it ended.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String = "", stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The first line of stderr (or stdout), for error messages.
    public var message: String {
        let text = stderr.isEmpty ? stdout : stderr
        return text.split(separator: "\n").map(String.init).first { !$0.isEmpty } ?? "exit status \(status)"
    }
}

/// Runs a program with an argv array, never through a shell. Tests record the argv and replay
/// output captured from the real tools.
public protocol CommandRunner: Sendable {
    func run(_ argv: [String], timeout: Double) -> CommandResult
}

extension CommandRunner {
    public func run(_ argv: [String]) -> CommandResult { run(argv, timeout: 120) }
}

/// A failed command, with its argv and what it said.
public struct CommandFailure: Error, CustomStringConvertible, Equatable {
    public var argv: [String]
    public var result: CommandResult

    public init(argv: [String], result: CommandResult) {
        self.argv = argv
        self.result = result
    }

    public var description: String { "\(argv.joined(separator: " ")): \(result.message) (exit \(result.status))" }
}

/// The real runner: `Subprocess.capture` (posix_spawn with both output pipes read through poll
/// until end of file, the child killed after `timeout` seconds, then reaped). (Foundation's
/// Process was seen to miss a child's exit and wait forever.)
public struct ProcessRunner: CommandRunner {
    /// Added to (or replacing in) this process's environment.
    public var environment: [String: String]

    public init(environment: [String: String] = ["LC_ALL": "C"]) { self.environment = environment }

    public func run(_ argv: [String], timeout: Double) -> CommandResult {
        guard let program = argv.first, let path = Self.locate(program) else {
            return CommandResult(status: 127, stderr: "\(argv.first ?? "?"): command not found")
        }
        // LC_ALL=C by default: the parsers read the tools' English messages.
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envStrings = env.map { "\($0.key)=\($0.value)" }
        let run: Subprocess.Captured
        do { run = try Subprocess.capture(path, [path] + argv.dropFirst(), environment: envStrings, timeout: timeout) } catch {
            switch error {
            case .pipe(let e): return CommandResult(status: 126, stderr: "pipe: \(e.text)")
            case .spawn(let e): return CommandResult(status: 126, stderr: "\(program): \(e.text)")
            }
        }
        var stderrText = String(decoding: run.stderr, as: UTF8.self)
        if run.killed { stderrText += "\(program): killed after \(Int(timeout))s\n" }
        return CommandResult(status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self), stderr: stderrText)
    }

    static func locate(_ program: String) -> String? {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
