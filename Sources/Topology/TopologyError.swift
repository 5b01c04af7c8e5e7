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
public struct TopologyError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
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

    /// The first `InputLimits.shownErrors` lines, then how many more there are. A mistake that
    /// is the same on several hosts is one line; `errors` keeps one error per host (JSON output).
    public var description: String {
        let merged = Self.mergingHosts(errors)
        var lines = merged.prefix(InputLimits.shownErrors).map(\.description)
        if merged.count > InputLimits.shownErrors {
            let more = merged.count - InputLimits.shownErrors
            lines.append("… and \(more) more error\(more == 1 ? "" : "s") (the first \(InputLimits.shownErrors) are shown)")
        }
        return lines.joined(separator: "\n")
    }

    /// One error for a mistake that is the same on several hosts (same place, object and
    /// message), naming the hosts: `(on hosts hv01–hv16)`.
    static func mergingHosts(_ errors: [TopologyError]) -> [TopologyError] {
        struct Key: Hashable { let mark: SourceMark; let object: String?; let message: String; let isWarning: Bool }
        var hostsOf: [Key: [String]] = [:]
        var firstOf: [Key: Int] = [:]
        var merged: [TopologyError] = []
        for error in errors {
            guard let host = error.host else { merged.append(error); continue }
            let key = Key(mark: error.mark, object: error.object, message: error.message, isWarning: error.isWarning)
            if firstOf[key] != nil {
                if !hostsOf[key]!.contains(host) { hostsOf[key]!.append(host) }
            } else {
                firstOf[key] = merged.count
                hostsOf[key] = [host]
                merged.append(error)
            }
        }
        for (key, hosts) in hostsOf where hosts.count > 1 {
            var error = merged[firstOf[key]!]
            error.host = nil
            error.message += " (on hosts \(hostRanges(hosts)))"
            merged[firstOf[key]!] = error
        }
        return merged
    }

    /// Host names in natural order, with a run of three or more consecutive numbers under one
    /// prefix written as a range (`hv01–hv16`): the range then names exactly those hosts.
    static func hostRanges(_ hosts: [String]) -> String {
        func split(_ name: String) -> (prefix: Substring, digits: Substring) {
            let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }
            return (name.dropLast(digits.count), name.suffix(digits.count))
        }
        func follows(_ a: String, _ b: String) -> Bool {
            let (pa, da) = split(a), (pb, db) = split(b)
            guard pa == pb, !da.isEmpty, da.count == db.count || !db.hasPrefix("0"), let x = Int(da), let y = Int(db) else { return false }
            return y == x + 1
        }
        let sorted = hosts.sorted { a, b in
            let (pa, da) = split(a), (pb, db) = split(b)
            return (pa, Int(da) ?? -1, a) < (pb, Int(db) ?? -1, b)
        }
        var parts: [String] = []
        var run: [String] = []
        func flush() {
            if run.count >= 3 { parts.append("\(run.first!)–\(run.last!)") } else { parts += run }
            run = []
        }
        for host in sorted {
            if let last = run.last, follows(last, host) { run.append(host) } else {
                flush()
                run = [host]
            }
        }
        flush()
        return parts.joined(separator: ", ")
    }
}

/// Collects errors while a parse goes on, so one run reports them all.
final class ErrorSink {
    private(set) var errors: [TopologyError] = []

    func add(_ error: TopologyError) { errors.append(error) }
    func add(_ message: String, at mark: SourceMark, host: String? = nil, object: String? = nil) {
        errors.append(TopologyError(message, at: mark, host: host, object: object))
    }

    /// Runs `body`, turning a thrown TopologyError into a collected one. Past the error budget
    /// nothing more runs: the rest would cost time for errors nobody reads.
    func collect<T>(_ body: () throws -> T) -> T? {
        if errors.count >= InputLimits.maxErrors { return nil }
        do { return try body() } catch let e as TopologyError {
            add(e)
        } catch let e as TopologyErrors {
            errors.append(contentsOf: e.errors)
        } catch {
            fatalError("unexpected error \(error)")
        }
        return nil
    }

    /// One field of an object: its error is kept and the next field is still read.
    func value<T>(_ body: () throws -> T?) -> T? { collect(body) ?? nil }

    /// `value`, also saying whether reading failed (nil and not failed: the field is absent).
    func field<T>(_ body: () throws -> T?) -> (value: T?, bad: Bool) {
        let before = errors.count
        let result = value(body)
        return (result, errors.count > before)
    }

    /// Ends one object's decoding: every mistake found in it, or the object. Nil with no mistake
    /// here means a required key is missing, which the structural pass already reported.
    func finish<T>(_ object: T?) throws -> T {
        if !errors.isEmpty { throw TopologyErrors(errors) }
        guard let object else { throw TopologyErrors([]) }
        return object
    }
}
