import Foundation
import SystemCalls

/// Why the state directory or a file in it cannot be used.
public struct StateError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }

    public static func system(_ what: String, _ path: String, _ code: Int32) -> StateError {
        let reason = code == ELOOP ? "it is a symbolic link, which poolnet never follows" : Errno(code).text
        return StateError("cannot \(what) \(path): \(reason)")
    }
}

/// The directory that holds the journal, the pending revert, the in-flight marker and the
/// ownership record (`/var/lib/poolnet`). Whoever can write there can make poolnet revert or
/// prune anything, so it must be root's (or the running user's) and closed to others: created
/// 0700; one that is a symlink, owned by someone else or writable by group or others is refused.
/// Files in it are opened with O_NOFOLLOW, and files written whole are replaced by rename.
public struct StateDirectory: Sendable {
    public let path: String

    /// Checks (and creates, 0700) the directory.
    public init(_ path: String) throws {
        self.path = path
        var found = Result { () throws(Errno) in try Syscall.linkStatus(path) }
        if case .failure(let error) = found {
            guard error == .ENOENT else { throw StateError.system("use the state directory", path, error.code) }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
                do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755]) } catch {
                    throw StateError("cannot create the state directory \(path): \(error.localizedDescription)")
                }
            }
            do { try Syscall.makeDirectory(path, 0o700) } catch {
                guard error == .EEXIST else { throw StateError.system("create the state directory", path, error.code) }
            }
            found = Result { () throws(Errno) in try Syscall.linkStatus(path) }
        }
        let info: Syscall.FileStatus
        do { info = try found.get() } catch { throw StateError.system("use the state directory", path, error.code) }
        let euid = Syscall.effectiveUserID
        if info.isSymbolicLink {
            throw StateError("refusing the state directory \(path): it is a symbolic link")
        }
        guard info.isDirectory else { throw StateError("refusing the state directory \(path): it is not a directory") }
        guard info.owner == euid else {
            throw StateError("refusing the state directory \(path): it is owned by uid \(info.owner), not by \(euid == 0 ? "root" : "uid \(euid)")")
        }
        guard info.permissions & 0o022 == 0 else {
            throw StateError("refusing the state directory \(path): it is writable by \(info.permissions & 0o020 != 0 ? "its group" : "others") (mode \(String(info.permissions, radix: 8))); chmod 700 it")
        }
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// The whole file, or nil when it does not exist. A symlink is an error, never followed.
    public func read(_ name: String) throws -> Data? { try Self.read(path: file(name)) }

    public static func read(path: String) throws -> Data? {
        let fd: Int32
        do { fd = try Syscall.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) } catch {
            if error == .ENOENT { return nil }
            throw StateError.system("read", path, error.code)
        }
        defer { Syscall.close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            do { n = try Syscall.read(fd, into: &buffer) } catch { throw StateError.system("read", path, error.code) }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }

    /// The file when it is a regular file of the running user's that nobody else can write, at
    /// most `limit` bytes; nil otherwise (missing, a symlink, a FIFO, someone else's, too large).
    /// For what poolnet only trusts as a shortcut (the validation cache): never an error.
    public func readPrivate(_ name: String, limit: Int) -> [UInt8]? {
        guard let fd = try? Syscall.open(file(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) else { return nil }
        defer { Syscall.close(fd) }
        guard let info = try? Syscall.status(fd), info.isRegularFile, info.owner == Syscall.effectiveUserID,
              info.permissions & 0o022 == 0, info.size <= limit else { return nil }
        var bytes: [UInt8] = []
        // Sized by the file, not the limit: a generous limit must not cost zeroing it on every read.
        var buffer = [UInt8](repeating: 0, count: min(limit, max(Int(info.size), 4096)) + 1)
        while bytes.count <= limit {
            guard let n = try? Syscall.read(fd, into: &buffer) else { return nil }
            if n == 0 { return bytes }
            bytes += buffer[..<n]
        }
        return nil
    }

    /// Replaces the file whole: a new file next to it, written, fsync'd, renamed over the old one,
    /// then the directory fsync'd, so a crash leaves the old or the new content, never a mix.
    public func replace(_ name: String, with bytes: [UInt8]) throws { try Self.replace(path: file(name), with: bytes) }

    public static func replace(path: String, with bytes: [UInt8]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = "\(directory.isEmpty ? "." : directory)/.\(name).\(Syscall.processID).tmp"
        try? Syscall.unlink(temporary)
        let fd: Int32
        do { fd = try Syscall.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) } catch { throw StateError.system("write", temporary, error.code) }
        do {
            try Self.writeAll(fd, bytes, path: path)
            do { try Syscall.fsync(fd) } catch { throw StateError.system("write (fsync)", path, error.code) }
        } catch {
            Syscall.close(fd)
            try? Syscall.unlink(temporary)
            throw error
        }
        Syscall.close(fd)
        do { try Syscall.rename(temporary, to: path) } catch {
            try? Syscall.unlink(temporary)
            throw StateError.system("replace", path, error.code)
        }
        try syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Appends bytes with one checked, looped write and fsyncs them (and the directory when the
    /// file is new). A short or failed write is an error: a half line is never taken for a record.
    public func append(_ name: String, _ bytes: [UInt8]) throws {
        let existed = exists(name)
        let fd: Int32
        do { fd = try Syscall.open(file(name), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600) } catch {
            throw StateError.system("append to", file(name), error.code)
        }
        defer { Syscall.close(fd) }
        guard let info = try? Syscall.status(fd), info.isRegularFile else {
            throw StateError("cannot append to \(file(name)): it is not a regular file")
        }
        let start = info.size
        do {
            try Self.writeAll(fd, bytes, path: file(name))
            do { try Syscall.fsync(fd) } catch { throw StateError.system("append to (fsync)", file(name), error.code) }
        } catch {
            // Take a partial line back out, so that the next record starts on a line of its own.
            try? Syscall.ftruncate(fd, start)
            throw error
        }
        if !existed { try syncDirectory() }
    }

    public func remove(_ name: String) throws {
        do { try Syscall.unlink(file(name)) } catch {
            guard error == .ENOENT else { throw StateError.system("remove", file(name), error.code) }
        }
        try syncDirectory()
    }

    public func exists(_ name: String) -> Bool {
        (try? Syscall.linkStatus(file(name))) != nil
    }

    public func move(_ name: String, to other: String) throws {
        do { try Syscall.rename(file(name), to: file(other)) } catch { throw StateError.system("rename", file(name), error.code) }
        try syncDirectory()
    }

    func syncDirectory() throws { try Self.syncDirectory(path) }

    static func syncDirectory(_ path: String) throws {
        let fd: Int32
        do { fd = try Syscall.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) } catch { throw StateError.system("open", path, error.code) }
        defer { Syscall.close(fd) }
        do { try Syscall.fsync(fd) } catch { throw StateError.system("sync", path, error.code) }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        let written: Int
        do { written = try Syscall.writeAll(fd, bytes) } catch { throw StateError.system("write", path, error.code) }
        if written < bytes.count { throw StateError("cannot write \(path): the write made no progress") }
    }
}
