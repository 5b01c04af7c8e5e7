import Foundation
import HostState
import Logging
import Netlink
import Planner
import Storage
import Topology

/// What went wrong in an apply, and what was done about it.
public struct ApplyFailure: Error, CustomStringConvertible {
    /// The first error: a kernel refusal or a verification that found a remaining diff.
    public var cause: String
    /// Steps undone, in the order they were undone.
    public var rolledBack: [Change]
    /// Steps whose undo failed too, with the reason: these need a human.
    public var notRolledBack: [(Change, String)]

    public var description: String {
        var text = "apply failed: \(cause)\n"
        if rolledBack.isEmpty && notRolledBack.isEmpty {
            text += "nothing had been changed.\n"
        } else {
            text += "rolled back \(rolledBack.count) step\(rolledBack.count == 1 ? "" : "s")"
            text += notRolledBack.isEmpty ? "; the host is as it was before.\n" : ":\n"
            for change in notRolledBack.isEmpty ? [] : rolledBack { text += "  undone: \(change.line)\n" }
            for (change, reason) in notRolledBack { text += "  NOT undone: \(change.line): \(reason)\n" }
        }
        return text
    }
}

/// Refusal to plan: the file asks for something the host cannot give.
public struct PlanBlocked: Error, CustomStringConvertible {
    public var plan: Plan
    public var description: String {
        "cannot apply on host \(plan.host):\n" + plan.problems.map { "  ! \($0)\n" }.joined()
    }
}

/// read → plan → apply → read → verify, in one network namespace (or the caller's).
public struct Engine: Sendable {
    public var netns: String?
    public var logger: Logger
    /// Test hook for fault injection: fail the step at this 0-based position before sending it.
    public var failStep: Int?
    /// Refuses disruptive changes to the management path unless `allowDisruptive`.
    public var guardRail = ManagementGuard(sshConnection: ProcessInfo.processInfo.environment["SSH_CONNECTION"])
    public var allowDisruptive = false
    /// Takes iSCSI paths away from LUNs that are in use (`--force`).
    public var force = false
    /// Where iSCSI, multipath and the ownership record live; tests point these at fixture trees.
    public var storageRoots = StorageRoots()
    public var commandRunner: any CommandRunner = ProcessRunner()
    /// Where the host's other network managers keep their state (tests: captured trees).
    public var foreignRoots = ForeignManagerRoots()
    /// Called with the plan just before apply starts changing the host: the caller can prepare
    /// its journal line meanwhile (the kernel work keeps this thread busy).
    public var onPlanned: (@Sendable (Plan) -> Void)?

    public init(netns: String? = nil, logger: Logger = Logger(label: "poolnet")) {
        self.netns = netns
        self.logger = logger
    }

    /// The live state: one dump per object class; bridge VLANs, sysctls and default routes only
    /// as far as `desired` manages them.
    public func read(for desired: DesiredState? = nil) throws -> CurrentState {
        let storage = try storageBackend(for: desired)
        return try NetworkNamespace.run(netns) { try Self.read(using: try RouteSocket(), for: desired, storage: storage) }
    }

    /// The iSCSI backend when the file declares iSCSI, or when poolnet still owns ifaces it must
    /// clean up; nil otherwise (no iscsiadm runs at all).
    func storageBackend(for desired: DesiredState?) throws -> StorageBackends {
        // `show` without a file reads links and addresses only.
        guard let desired else { return StorageBackends() }
        let owned = OwnershipRecord.read(storageRoots.ownership)
        var backends = StorageBackends()
        if desired.iscsi != nil && netns != nil {
            throw StorageError("iSCSI runs only in the host's own network namespace (iscsid's netlink is not namespace-aware); drop --netns")
        }
        // Owned ifaces to clean up live in the host's namespace, not in a --netns sandbox.
        if desired.iscsi != nil || (!owned.iscsiIfaces.isEmpty && netns == nil) {
            backends.iscsi = ISCSIBackend(runner: commandRunner, roots: storageRoots, managedSettings: ISCSISettingKeys.all)
        }
        if !desired.vports.isEmpty || !owned.fcVPorts.isEmpty {
            backends.fc = FCBackend(root: storageRoots.sys, ownership: storageRoots.ownership)
        }
        backends.foreign = ForeignManagerReader(roots: foreignRoots, pool: desired.pool, configFiles: netns == nil)
        backends.foreignDevices = desired.coexistDevices
        backends.handOver = HandOver(roots: foreignRoots, runner: commandRunner)
        return backends
    }

    static func read(using socket: RouteSocket, for desired: DesiredState?, base: CurrentState? = nil, storage: StorageBackends = StorageBackends()) throws -> CurrentState {
        var state = try base ?? StateReader.readBase(using: socket)
        try StateReader.complete(&state, using: socket, bridgeVLANs: desired?.managesBridgeVLANs ?? false,
                                 defaultRoutes: !(desired?.nics.isEmpty ?? true),
                                 vxlanRemotes: !(desired?.vxlans.isEmpty ?? true))
        if let keys = desired?.sysctlKeysToRead, !keys.isEmpty { state.sysctls = SysctlStore().read(keys) }
        try storage.read(into: &state)
        return state
    }

    /// The classes no file changes (links, bridge and bond options, addresses). Callers start this
    /// while they parse the file, then pass it as `base`; it must be read after taking the lock.
    public func readBase() throws -> CurrentState {
        try NetworkNamespace.run(netns) { try StateReader.readBase(using: try RouteSocket()) }
    }

    /// The plan for `desired` against the live state (completing `base` when given).
    /// `health`: also probe the storage paths (`check`, and `plan` as a pre-flight).
    public func plan(_ desired: DesiredState, base: CurrentState? = nil, health: Bool = false) throws -> (plan: Plan, current: CurrentState) {
        let storage = try storageBackend(for: desired)
        let runner = commandRunner
        let force = self.force
        return try NetworkNamespace.run(netns) { () throws -> (plan: Plan, current: CurrentState) in
            let current = try Self.read(using: try RouteSocket(), for: desired, base: base, storage: storage)
            var plan = Planner.plan(desired: desired, current: current, force: force)
            if health { plan.health = StorageHealth(probe: PathProbe(runner: runner)).findings(desired, current) }
            return (plan, current)
        }
    }

    /// Applies what the plan says, verifies by a fresh read (of the links it touched, for a small
    /// plan) that nothing is left to do, and rolls
    /// every applied step back if a step or the verification fails. Returns the applied plan.
    @discardableResult
    public func apply(_ desired: DesiredState, base: CurrentState? = nil) throws -> Plan {
        let logger = self.logger
        let failStep = self.failStep
        let guardRail = allowDisruptive ? nil : self.guardRail
        let storage = try storageBackend(for: desired)
        let force = self.force
        return try NetworkNamespace.run(netns) { () throws -> Plan in
            let socket = try RouteSocket()
            var before = try Self.read(using: socket, for: desired, base: base, storage: storage)
            var executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: Self.scratchGroup(unusedIn: before), storage: storage)
            executor.logger = logger
            var plan = Planner.plan(desired: desired, current: before, force: force)
            guard plan.problems.isEmpty else { throw PlanBlocked(plan: plan) }
            guard !plan.changes.isEmpty else {
                try Self.adoptDeclared(desired, storage: storage)
                return plan
            }
            if let guardRail {
                if before.routes.isEmpty {
                    let names = Dictionary(before.links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
                    before.routes = try DefaultRoutes.read(names: names)
                }
                try guardRail.check(plan, against: before)
            }
            logger.notice("applying \(plan.changes.count) changes on host \(plan.host)")
            let handedOver: [Change]
            (plan, handedOver) = try Self.handOverFirst(plan, before: &before, desired: desired, executor: executor, socket: socket, force: force, logger: logger)
            onPlanned?(plan)

            var translator = RequestTranslator(state: before)
            let rest = Array(plan.changes.dropFirst(handedOver.count))
            let outcome = try executor.run(rest, translator: &translator, stopOnError: true, failAt: failStep)
            var applied = handedOver + outcome.tookEffect.sorted().map { rest[$0] }
            if let failure = outcome.failure {
                throw try Self.rollBack(applied, cause: failure, executor: executor, desired: desired, logger: logger)
            }
            var after = try Self.readAfter(plan.changes, before: before, desired: desired, using: socket, storage: storage)
            var remaining = Planner.plan(desired: desired, current: after, force: force)
            // LUNs appear only after login: their multipath maps are a second round.
            if remaining.problems.isEmpty, !remaining.changes.isEmpty, remaining.changes.allSatisfy(\.isFollowUp) {
                logger.notice("adding \(remaining.changes.count) multipath maps for LUNs that appeared after login")
                let next = try executor.run(remaining.changes, translator: &translator, stopOnError: true)
                applied += next.tookEffect.sorted().map { remaining.changes[$0] }
                plan.changes += remaining.changes
                if let failure = next.failure {
                    throw try Self.rollBack(applied, cause: failure, executor: executor, desired: desired, logger: logger)
                }
                after = try Self.read(using: socket, for: desired, storage: storage)
                remaining = Planner.plan(desired: desired, current: after, force: force)
            }
            if !remaining.isEmpty {
                let cause = "verification found changes still to make after apply:\n" + remaining.renderPlan()
                throw try Self.rollBack(applied, cause: cause, executor: executor, desired: desired, logger: logger)
            }
            try Self.adoptDeclared(desired, storage: storage)
            return plan
        }
    }

    /// Declared iSCSI ifaces are poolnet's from now on, also those it found already there.
    /// (A declared vport found already there is not adopted: only the ones poolnet created are.)
    static func adoptDeclared(_ desired: DesiredState, storage: StorageBackends) throws {
        guard let iscsi = storage.iscsi, let want = desired.iscsi else { return }
        try OwnershipRecord.update(iscsi.roots.ownership) { $0.iscsiIfaces.formUnion(want.paths.map(\.iface)) }
    }

    /// A link group nobody uses, for deleting many links in one step.
    static func scratchGroup(unusedIn state: CurrentState) -> UInt32? {
        let used = Set(state.links.map(\.group))
        return (0x706e_0001...0x706e_00ff).first { !used.contains($0) }
    }

    /// Runs revert steps recorded by an earlier apply (`poolnet rollback`, confirm-or-revert).
    /// Every step runs; returns what could not be undone (empty when all went through).
    public func revert(_ steps: [Change]) throws -> [(Change, String)] {
        var storage = StorageBackends()
        storage.handOver = HandOver(roots: foreignRoots, runner: commandRunner)
        for step in steps {
            guard case .storage(let action) = step.action else { continue }
            if action.isFibreChannel {
                storage.fc = FCBackend(root: storageRoots.sys, ownership: storageRoots.ownership)
            } else {
                storage.iscsi = ISCSIBackend(runner: commandRunner, roots: storageRoots, managedSettings: ISCSISettingKeys.all)
            }
        }
        return try NetworkNamespace.run(netns) { () throws -> [(Change, String)] in
            let socket = try RouteSocket()
            let state = try StateReader.read(using: socket)
            let executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: Self.scratchGroup(unusedIn: state), storage: storage)
            var translator = RequestTranslator(state: state)
            let outcome = try executor.run(steps, translator: &translator, stopOnError: false)
            return outcome.failures.sorted { $0.key < $1.key }.map { (steps[$0.key], $0.value) }
        }
    }

    /// Undoes `applied` in reverse order, each undo computed from the state read before apply. All
    /// undo steps run; one failing does not stop the others.
    static func rollBack(_ applied: [Change], cause: String, executor: Executor, desired: DesiredState, logger: Logger) throws -> ApplyFailure {
        logger.warning("rolling back \(applied.count) steps: \(cause)")
        var failure = ApplyFailure(cause: cause, rolledBack: [], notRolledBack: [])
        guard !applied.isEmpty else { return failure }
        // Names resolve against the state as it is now, after the partial apply.
        var translator = RequestTranslator(state: try read(using: executor.socket, for: desired, storage: executor.storage))
        let undos = applied.reversed().map(\.inverse)
        let outcome = try executor.run(undos, translator: &translator, stopOnError: false)
        for (i, undo) in undos.enumerated() {
            if let reason = outcome.failures[i] { failure.notRolledBack.append((undo.inverse, reason)) } else { failure.rolledBack.append(undo) }
        }
        return failure
    }
}

/// errno values used for steps the engine itself did not send.
let EIO_INJECTED: Int32 = 5
let ECANCELED_CODE: Int32 = 125
