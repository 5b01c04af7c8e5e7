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

/// The real runner: posix_spawn with both output pipes read through poll until end of file, the
/// child killed after `timeout` seconds, then reaped with waitpid. (Foundation's Process was seen
/// to miss a child's exit and wait forever.)
public struct ProcessRunner: CommandRunner {
    /// Added to (or replacing in) this process's environment.
    public var environment: [String: String]

    public init(environment: [String: String] = ["LC_ALL": "C"]) { self.environment = environment }

    public func run(_ argv: [String], timeout: Double) -> CommandResult {
        guard let program = argv.first, let path = Self.locate(program) else {
            return CommandResult(status: 127, stderr: "\(argv.first ?? "?"): command not found")
        }
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard cloexecPipe(&out) else { return CommandResult(status: 126, stderr: "pipe: \(String(cString: strerror(errno)))") }
        guard cloexecPipe(&err) else {
            close(out[0]); close(out[1])
            return CommandResult(status: 126, stderr: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        // LC_ALL=C by default: the parsers read the tools' English messages.
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envStrings = env.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status: Int32 = withCStrings([path] + argv.dropFirst()) { args in
            withCStrings(envStrings) { envp in posix_spawn(&pid, path, &actions, nil, args, envp) }
        }
        close(out[1])
        close(err[1])
        guard status == 0 else {
            close(out[0]); close(err[0])
            return CommandResult(status: 126, stderr: "\(program): \(String(cString: strerror(status)))")
        }
        var outData = Data(), errData = Data()
        var fds = [pollfd(fd: out[0], events: Int16(POLLIN), revents: 0), pollfd(fd: err[0], events: Int16(POLLIN), revents: 0)]
        let deadline = Date().addingTimeInterval(timeout)
        var killed = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 && !killed {
                kill(pid, SIGKILL)
                killed = true
            }
            let ready = poll(&fds, nfds_t(fds.count), killed ? 1000 : Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for k in fds.indices where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = read(fds[k].fd, &buffer, buffer.count)
                if n > 0 {
                    if k == 0 { outData.append(contentsOf: buffer[0..<n]) } else { errData.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[k].fd)
                    fds[k].fd = -1
                }
            }
            if killed && ready == 0 { break }
        }
        for f in fds where f.fd >= 0 { close(f.fd) }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let exit: Int32 = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        var stderrText = String(decoding: errData, as: UTF8.self)
        if killed { stderrText += "\(program): killed after \(Int(timeout))s\n" }
        return CommandResult(status: exit, stdout: String(decoding: outData, as: UTF8.self), stderr: stderrText)
    }

    static func locate(_ program: String) -> String? {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A pipe whose ends are not inherited by other children.
func cloexecPipe(_ fds: inout [Int32]) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return true
}

/// A NULL-terminated C string array for the duration of `body`.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
