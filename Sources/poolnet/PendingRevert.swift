import Engine
import Foundation
import Planner

/// Confirm-or-revert: an apply with a window leaves `<state dir>/pending-<scope>.json` and a
/// detached helper (its own session, so it outlives the SSH session and the launching process)
/// that reverts at the deadline unless `poolnet confirm` removed the file first.
struct PendingRevert {
    let directory: String
    let scope: String
    var path: String { "\(directory)/pending-\(scope).json" }

    struct Record: Codable {
        var deadline: Date
        var host: String
        var netns: String?
        var revert: [Change]
    }

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    func load() -> Record? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? Self.decoder.decode(Record.self, from: data)
    }

    /// Writes the pending record, then starts the helper.
    func arm(_ record: Record, stateDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(StreamingJSONEncoder().encode(record)).write(to: URL(fileURLWithPath: path), options: .atomic)
        var args = ["revert-pending", "--state-dir", stateDirectory, "--scope", scope]
        if let netns = record.netns { args += ["--netns", netns] }
        try spawnDetached(args)
    }

    /// Removes the pending record; true when there was one.
    func disarm() -> Bool {
        (try? FileManager.default.removeItem(atPath: path)) != nil
    }

    /// posix_spawn with POSIX_SPAWN_SETSID and /dev/null for stdio: no terminal, no shared session.
    private func spawnDetached(_ args: [String]) throws {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        // Nothing else is inherited: a pipe the caller waits on must not stay open in the helper.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 && fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([executable] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw Failure.other("cannot start the revert helper: \(String(cString: strerror(rc)))") }
    }
}
