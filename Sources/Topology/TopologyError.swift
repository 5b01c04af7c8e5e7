/// A position in a topology file (1-based line and column).
public struct SourceMark: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a topology file, located and, where it applies, tied to a host and an object.
public struct TopologyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var mark: SourceMark
    public var host: String?
    public var object: String?
    public var message: String
    /// A warning is shown but does not fail validation.
    public var isWarning = false

    public init(_ message: String, at mark: SourceMark, host: String? = nil, object: String? = nil) {
        self.mark = mark
        self.host = host
        self.object = object
        self.message = message
    }

    public var description: String {
        var context: [String] = []
        if let host { context.append("host \(host)") }
        if let object { context.append(object) }
        let prefix = context.isEmpty ? "" : context.joined(separator: ", ") + ": "
        return "\(mark): \(isWarning ? "warning" : "error"): \(prefix)\(message)"
    }
}

/// All problems found in one file, in file order. Validation reports every error, not just the first.
public struct TopologyErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [TopologyError]

    public init(_ errors: [TopologyError]) {
        var seen = Set<TopologyError>()
        self.errors = errors
            .filter { seen.insert($0).inserted }
            .sorted { ($0.mark.line, $0.mark.column) < ($1.mark.line, $1.mark.column) }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects errors while a parse goes on, so one run reports them all.
final class ErrorSink {
    private(set) var errors: [TopologyError] = []

    func add(_ error: TopologyError) { errors.append(error) }
    func add(_ message: String, at mark: SourceMark, host: String? = nil, object: String? = nil) {
        errors.append(TopologyError(message, at: mark, host: host, object: object))
    }

    /// Runs `body`, turning a thrown TopologyError into a collected one.
    func collect<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch let e as TopologyError {
            add(e)
        } catch let e as TopologyErrors {
            errors.append(contentsOf: e.errors)
        } catch {
            fatalError("unexpected error \(error)")
        }
        return nil
    }
}
