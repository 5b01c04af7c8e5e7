import Foundation
import SystemCalls

/// Reads a pool file with a bound on its size, and says why when it cannot.
enum PoolFile {
    struct Failure: Error { let message: String }

    static func tooLarge(_ bytes: Int?) -> String {
        let limit = "a pool file may be at most \(InputLimits.maxFileBytes >> 20) MiB (\(InputLimits.maxFileBytes) bytes)"
        return bytes.map { "the file is \($0) bytes; \(limit)" } ?? "the file is larger than \(InputLimits.maxFileBytes) bytes; \(limit)"
    }

    /// At most `InputLimits.maxFileBytes`, checked before reading for a regular file and while
    /// reading for anything else (a pipe, `/dev/zero`).
    static func read(_ path: String) -> Result<[UInt8], Failure> {
        let fd: Int32
        do { fd = try Syscall.open(path, O_RDONLY | O_CLOEXEC) } catch { return .failure(Failure(message: "cannot read the file: \(error.text)")) }
        defer { Syscall.close(fd) }
        let info: Syscall.FileStatus
        do { info = try Syscall.status(fd) } catch { return .failure(Failure(message: "cannot read the file: \(error.text)")) }
        if info.isDirectory { return .failure(Failure(message: "cannot read the file: \(Errno.EISDIR.text)")) }
        if info.isRegularFile, info.size > InputLimits.maxFileBytes {
            return .failure(Failure(message: tooLarge(info.size)))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            do { n = try Syscall.read(fd, into: &chunk) } catch { return .failure(Failure(message: "cannot read the file: \(error.text)")) }
            if n == 0 { return .success(bytes) }
            bytes += chunk[0..<n]
            if bytes.count > InputLimits.maxFileBytes { return .failure(Failure(message: tooLarge(nil))) }
        }
    }
}
