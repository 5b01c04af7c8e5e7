import ArgumentParser
import Engine
import Foundation
import Logging
import Planner
import SystemCalls
import Topology

@main
struct Poolnet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poolnet",
        abstract: "Declarative networking for virtualization pools: storage NICs, private bridges, over netlink.",
        discussion: """
        Exit codes: 0 nothing to do / no drift, 2 changes planned or drift found, 1 error (nothing was changed), 3 an apply or rollback failed and could not put everything back.
        """,
        version: BuildInfo.versionLine,
        subcommands: [Validate.self, PlanCommand.self, Apply.self, Check.self, Show.self,
                      Confirm.self, Rollback.self, History.self, RevertPending.self,
                      Diff.self, Import.self]
    )

    /// swift-argument-parser's own main, except that a usage error exits 1 like every error that
    /// changed nothing (the documented contract), not 64, and says so in JSON too with --json; and
    /// a command that needs root says so before it starts.
    static func main() {
        PhaseTrace.mark("start")
        do {
            var command = try parseAsRoot()
            PhaseTrace.mark("arguments parsed")
            OutputStyle.command = type(of: command)._commandName
            OutputStyle.json = (command as? ReportsJSON)?.jsonRequested ?? false
            if (command as? Privileged)?.needsRoot == true && !Privilege.hasNetAdmin {
                try poolnet.run { throw Privilege.Required(command: OutputStyle.command) }
            }
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            if CommandLine.arguments.contains("--json") {
                let command = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "poolnet"
                try? emitJSON(ErrorOutput(command: command, exitCode: 1, error: error, message: message(for: error), kind: .usage))
            }
            Foundation.exit(1)
        }
    }
}

/// Options every command that touches a host shares.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: "The pool host to act as (default: this machine's short hostname).", completion: Completion.hosts)
    var host: String?

    @Option(name: .long, help: "Operate inside this named network namespace (ip netns).", completion: Completion.namespaces)
    var netns: String?

    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "Log what is done to stderr.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors; the exit code says the rest.")
    var quiet = false

    enum ColorMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Option(name: .long, help: "Color plan and drift lines: auto (when stdout is a terminal), always or never.")
    var color: ColorMode = .auto

    @Option(name: .long, help: "Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).")
    var stateDir: String?

    var stateDirectory: String {
        stateDir ?? ProcessInfo.processInfo.environment["POOLNET_STATE_DIR"] ?? "/var/lib/poolnet"
    }

    /// Locks and pending reverts are per host or per namespace.
    var scope: String { netns.map { "netns-\($0)" } ?? "host" }

    var hostName: String { host ?? Self.shortHostname() }

    static func shortHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(name.split(separator: ".").first ?? Substring(name))
    }

    func engine() -> Engine {
        OutputStyle.configure(self)
        var logger = Logger(label: "poolnet")
        // Progress lines (the slow storage steps, the apply's size) on a terminal; details with -v.
        logger.logLevel = verbose ? .info : (!quiet && isatty(2) == 1 ? .notice : .error)
        var engine = Engine(netns: netns, logger: logger)
        engine.storageRoots.ownership = "\(stateDirectory)/owned.json"
        return engine
    }
}

/// Loads and validates the whole pool file, then resolves this host. Errors exit 1 before any
/// host state is read or changed.
func loadDesired(_ file: String, host: String, parsed: (Topology) -> Void = { _ in }) throws -> DesiredState {
    let topology: Topology
    do { topology = try Topology.load(path: file) } catch { throw Failure.topology(error) }
    parsed(topology)
    return try validatedState(topology, host: host)
}

/// Validates the whole pool (errors exit 1), then resolves this host.
func validatedState(_ topology: Topology, host: String) throws -> DesiredState {
    let (problems, states) = topology.validateResolving()
    if !problems.isEmpty { throw Failure.topology(TopologyErrors(problems)) }
    if let state = states[host] { return state }
    do { return try topology.resolve(host: host) } catch { throw Failure.hostNotInFile(error) }  // names the unknown host
}

/// Errors the CLI reports itself (exit 1), with a clean message and no stack of types.
enum Failure: Error, CustomStringConvertible {
    case topology(TopologyErrors)
    case hostNotInFile(TopologyErrors)
    case other(String)

    var description: String {
        switch self {
        case .topology(let e), .hostNotInFile(let e): return e.description
        case .other(let s): return s
        }
    }
}

/// Runs a command body, mapping failures to exit 1 with the message on stderr (and, with --json,
/// a poolnet.error/v1 object on stdout unless the command already printed its own object). A
/// refusal met for lack of root says that root is needed.
func run(_ body: () throws -> Int32) throws {
    defer { BackgroundWrites.finish(); PhaseTrace.mark("exit") }
    let code: Int32
    do {
        code = try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        // 3, not "nothing was changed" (1): the host holds changes the output names.
        let exitCode: Int32 = error is HostLeftChanged ? 3 : 1
        let message = Privilege.isPermissionDenied(error) ? Privilege.explain(error, command: OutputStyle.command) : "\(error)"
        FileHandle.standardError.write(Data("poolnet: \(message)\n".utf8))
        if OutputStyle.json && !OutputStyle.printedJSON {
            try? emitJSON(ErrorOutput(command: OutputStyle.command, exitCode: exitCode, error: error, message: message))
        }
        throw ExitCode(exitCode)
    }
    if code != 0 { throw ExitCode(code) }
}

func emit(_ text: String) {
    if OutputStyle.quiet { return }
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// How human output looks: set once from the options before a command prints.
enum OutputStyle {
    nonisolated(unsafe) static var quiet = false
    nonisolated(unsafe) static var color = false
    /// Set from the parsed command line before the command runs.
    nonisolated(unsafe) static var json = false
    nonisolated(unsafe) static var command = "poolnet"
    /// The command printed its JSON object: an error after it adds no second one.
    nonisolated(unsafe) static var printedJSON = false

    static func configure(_ options: HostOptions) {
        quiet = options.quiet && !options.json
        switch options.color {
        case .always: color = true
        case .never: color = false
        case .auto: color = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }

    /// Plan and drift text with `+` green, `-` red, `~` yellow and `!` bold red lines.
    static func paint(_ text: String) -> String {
        guard color else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let body = line.drop { $0 == " " }
            let code: String? = body.hasPrefix("+ ") ? "32" : body.hasPrefix("- ") ? "31" : body.hasPrefix("~ ") ? "33" : body.hasPrefix("! ") ? "1;31" : nil
            return code.map { "\u{1B}[\($0)m\(line)\u{1B}[0m" } ?? String(line)
        }.joined(separator: "\n")
    }
}

func emitJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    emit(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    OutputStyle.printedJSON = true
}
