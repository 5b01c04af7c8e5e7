import Foundation

/// Files of the state directory by full path, for the records that live there (the ownership
/// record): the same reads and whole-file replacements as `StateDirectory` — never through a
/// symlink, written through a sibling renamed over the file, mode 0600, durable on return.
enum StateFile {
    /// The contents, or nil when the file does not exist.
    static func read(_ path: String) throws -> Data? { try StateDirectory.read(path: path) }

    static func replace(_ path: String, with data: Data) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        try StateDirectory.replace(path: path, with: Array(data))
    }
}
