import Foundation

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

/// The real runner: spawns the program (looked up in PATH and the sbin directories), collects
/// its output, and kills it after `timeout` seconds.
public struct ProcessRunner: CommandRunner {
    public init() {}

    public func run(_ argv: [String], timeout: Double) -> CommandResult {
        guard let program = argv.first, let path = Self.locate(program) else {
            return CommandResult(status: 127, stderr: "\(argv.first ?? "?"): command not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // LC_ALL=C: the parsers read the tools' English messages.
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        process.environment = env
        do { try process.run() } catch {
            return CommandResult(status: 126, stderr: "\(program): \(error)")
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if process.isRunning { process.terminate() } }
        timer.resume()
        // Read both pipes to the end before waiting, so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        timer.cancel()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(status: status, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func locate(_ program: String) -> String? {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
