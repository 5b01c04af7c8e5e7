import Foundation
import Storage

/// Records every argv and answers with output captured from the real tools (or a status).
final class ReplayRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [(prefix: [String], result: CommandResult)] = []
    private(set) var calls: [[String]] = []

    /// Answers commands starting with `prefix` (the longest matching prefix wins); others exit 0.
    func answer(_ prefix: [String], _ result: CommandResult) { answers.append((prefix, result)) }

    func run(_ argv: [String], timeout: Double) -> CommandResult {
        lock.lock()
        defer { lock.unlock() }
        calls.append(argv)
        let match = answers.filter { argv.starts(with: $0.prefix) }.max { $0.prefix.count < $1.prefix.count }
        return match?.result ?? CommandResult(status: 0)
    }
}

enum Fixture {
    static func text(_ name: String) throws -> String {
        let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
        return try String(contentsOf: url, encoding: .utf8)
    }
}
