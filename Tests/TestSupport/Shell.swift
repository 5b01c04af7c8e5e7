import Foundation

/// The result of running a program: exit status and what it printed.
public struct ProcessResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program with an argv array (never a shell) and waits for it.
@discardableResult
public func runProcess(_ argv: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0].hasPrefix("/") ? argv[0] : "/usr/bin/env")
    process.arguments = argv[0].hasPrefix("/") ? Array(argv.dropFirst()) : argv
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting so a chatty child cannot block on a full pipe.
    final class Box: @unchecked Sendable { var data = Data() }
    let outBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let outData = outBox.data
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
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
