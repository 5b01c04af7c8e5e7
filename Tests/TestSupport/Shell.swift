import Foundation
import Storage

/// The result of running a program: exit status and what it printed.
public struct ProcessResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program with an argv array (never a shell) and waits for it (no time limit to speak of).
/// A missing program throws `MissingProgram`, which names it (also the one `ip netns exec` runs).
@discardableResult
public func runProcess(_ argv: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    for program in MissingProgram.program(of: argv) { try requireProgram(program) }
    let result = ProcessRunner(environment: environment ?? [:]).run(argv, timeout: 3600)
    return ProcessResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
}

public struct CommandFailed: Error, CustomStringConvertible {
    public var argv: [String]
    public var result: ProcessResult

    public init(argv: [String], result: ProcessResult) {
        self.argv = argv
        self.result = result
    }
    public var description: String { "\(argv.joined(separator: " ")) exited \(result.status): \(result.stderr)" }
}

/// Runs a program that must succeed.
@discardableResult
public func must(_ argv: String...) throws -> String {
    let result = try runProcess(argv)
    guard result.status == 0 else { throw CommandFailed(argv: argv, result: result) }
    return result.stdout
}
