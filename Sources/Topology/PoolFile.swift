import Foundation

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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(message: "cannot read the file: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(message: "cannot read the file: \(String(cString: strerror(errno)))")) }
        if info.st_mode & S_IFMT == S_IFDIR { return .failure(Failure(message: "cannot read the file: \(String(cString: strerror(EISDIR)))")) }
        if info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > InputLimits.maxFileBytes {
            return .failure(Failure(message: tooLarge(Int(info.st_size))))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(message: "cannot read the file: \(String(cString: strerror(errno)))"))
            }
            if n == 0 { return .success(bytes) }
            bytes += chunk[0..<n]
            if bytes.count > InputLimits.maxFileBytes { return .failure(Failure(message: tooLarge(nil))) }
        }
    }
}
