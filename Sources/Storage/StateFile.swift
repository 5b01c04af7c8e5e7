import Foundation

/// Files of the state directory: never through a symlink (O_NOFOLLOW), written whole through a
/// sibling that replaces the file by rename, mode 0600, durable before the call returns.
enum StateFile {
    /// The contents, or nil when the file does not exist.
    static func read(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StorageError("cannot open \(path): \(String(cString: strerror(errno)))\(errno == ELOOP ? " (a symlink: refused)" : "")")
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    static func replace(_ path: String, with data: Data) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temp = "\(path).tmp-\(getpid())"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError("cannot create \(temp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            var offset = 0
            let bytes = [UInt8](data)
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StorageError("cannot write \(temp): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw StorageError("cannot fsync \(temp): \(String(cString: strerror(errno)))") }
        }
        guard rename(temp, path) == 0 else { throw StorageError("cannot rename \(temp) to \(path): \(String(cString: strerror(errno)))") }
        ok = true
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            defer { close(dfd) }
            guard fsync(dfd) == 0 else { throw StorageError("cannot fsync \(dir): \(String(cString: strerror(errno)))") }
        }
    }
}
