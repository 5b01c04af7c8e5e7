/// poolnet's one process runner: a program started with posix_spawn (argv, never a shell), in one
/// of three ways: its output captured with a time limit (the tools Storage runs), detached in
/// its own session (the confirm-or-revert helper), or timed for its peak memory (the benchmark).
public enum Subprocess {
    /// What a captured run printed and how it ended.
    public struct Captured: Sendable {
        /// The exit code, or 128 + the signal.
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// Killed with SIGKILL when the time limit passed.
        public var killed: Bool
    }

    /// Why a captured run did not start: no pipe, or no process.
    public enum StartFailure: Error, Sendable {
        case pipe(Errno)
        case spawn(Errno)
    }

    /// Runs `path` with `argv` (argv[0] included), stdin from /dev/null, both output pipes read
    /// through poll until end of file; SIGKILL after `timeout` seconds; reaped with wait4.
    public static func capture(_ path: String, _ argv: [String], environment: [String], timeout: Double) throws(StartFailure) -> Captured {
        let out: (read: Int32, write: Int32), err: (read: Int32, write: Int32)
        do { out = try Syscall.pipe() } catch { throw .pipe(error) }
        do { err = try Syscall.pipe() } catch {
            Syscall.close(out.read); Syscall.close(out.write)
            throw .pipe(error)
        }
        var options = Syscall.SpawnOptions()
        options.stdout = .descriptor(out.write)
        options.stderr = .descriptor(err.write)
        options.environment = environment
        let pid: Int32
        do { pid = try Syscall.spawn(path, argv, options) } catch {
            for fd in [out.read, out.write, err.read, err.write] { Syscall.close(fd) }
            throw .spawn(error)
        }
        Syscall.close(out.write)
        Syscall.close(err.write)
        var outData: [UInt8] = [], errData: [UInt8] = []
        var fds = [Syscall.Poll(fd: out.read), Syscall.Poll(fd: err.read)]
        let deadline = Syscall.monotonic() + timeout
        var killed = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            let left = deadline - Syscall.monotonic()
            if left <= 0 && !killed {
                try? Syscall.kill(pid, 9)  // SIGKILL
                killed = true
            }
            guard let ready = try? Syscall.pollInput(&fds, milliseconds: killed ? 1000 : Int32(min(left, 1) * 1000) + 1) else { break }
            for k in fds.indices where fds[k].fd >= 0 && fds[k].ready {
                let n = (try? Syscall.read(fds[k].fd, into: &buffer)) ?? 0
                if n > 0 {
                    if k == 0 { outData += buffer[0..<n] } else { errData += buffer[0..<n] }
                } else {  // end of file, or a read error other than EINTR
                    Syscall.close(fds[k].fd)
                    fds[k].fd = -1
                }
            }
            if killed && ready == 0 { break }
        }
        for f in fds where f.fd >= 0 { Syscall.close(f.fd) }
        let exit = Syscall.wait(pid)
        return Captured(status: exit.status, stdout: outData, stderr: errData, killed: killed)
    }

    /// Starts `path` in its own session (POSIX_SPAWN_SETSID), stdio on /dev/null and no other
    /// descriptor inherited (a pipe a caller waits on must not stay open in it, a lock must be
    /// released when its holder ends), and does not wait for it.
    public static func detach(_ path: String, _ argv: [String]) throws(Errno) {
        var options = Syscall.SpawnOptions()
        options.newSession = true
        options.closeInherited = true
        _ = try Syscall.spawn(path, argv, options)
    }

    /// Runs `argv` (looked up in PATH), stdio on /dev/null, and waits: its wall time from start
    /// to reaping, its exit and its peak resident set.
    public static func measure(_ argv: [String]) throws(Errno) -> (seconds: Double, exit: Syscall.Exit) {
        var options = Syscall.SpawnOptions()
        options.searchPath = true
        let start = Syscall.monotonic()
        let pid = try Syscall.spawn(argv[0], argv, options)
        let exit = Syscall.wait(pid)
        return (Syscall.monotonic() - start, exit)
    }
}
