import Foundation
import HostState
import Logging
import Netlink
import Planner
import Storage
import SystemCalls
import Topology

/// What went wrong in an apply, and what was done about it.
public struct ApplyFailure: Error, CustomStringConvertible {
    /// The first error: a kernel refusal or a verification that found a remaining diff.
    public var cause: String
    /// The failed step behind `cause`, typed (the kernel's errno and ack text), when a step failed.
    public var stepError: StepError?
    /// Steps of which only part took effect before the apply stopped (a request refused after
    /// others of the step went through, a step whose later requests were never sent), with why;
    /// they are undone with the rest.
    public var partlyApplied: [PartlyApplied] = []
    /// Steps undone, in the order they were undone.
    public var rolledBack: [Change]
    /// Steps whose undo failed too, with the reason: these need a human.
    public var notRolledBack: [NotUndone]
    /// What a fresh read after the rollback found different from the state read before apply
    /// (empty: the host is as it was); nil when that read could not be made.
    public var differences: [String]?

    public init(cause: String, stepError: StepError? = nil, rolledBack: [Change] = [], notRolledBack: [NotUndone] = [],
                differences: [String]? = nil) {
        self.cause = cause
        self.stepError = stepError
        self.rolledBack = rolledBack
        self.notRolledBack = notRolledBack
        self.differences = differences
    }

    /// A fresh read proved the host is as it was before apply.
    public var restored: Bool { differences == [] }

    public var description: String {
        var text = "apply failed: \(cause)\n"
        for step in partlyApplied { text += "  partly applied: \(step.change.line): \(step.error)\n" }
        if rolledBack.isEmpty && notRolledBack.isEmpty {
            text += restored ? "nothing had been changed (a fresh read matches the state before apply).\n" : ""
        } else {
            text += "rolled back \(rolledBack.count) step\(rolledBack.count == 1 ? "" : "s")"
            text += restored && notRolledBack.isEmpty ? "; the host is as it was before (a fresh read matches the state before apply).\n" : ":\n"
            for change in restored && notRolledBack.isEmpty ? [] : rolledBack { text += "  undone: \(change.line)\n" }
            for step in notRolledBack { text += "  NOT undone: \(step.change.line): \(step.reason)\n" }
        }
        switch differences {
        case nil: text += "the host could not be read again after the rollback: its state is unknown.\n"
        case let list? where !list.isEmpty:
            text += "the host is NOT as it was before; a fresh read differs:\n" + list.map { "  differs: \($0)\n" }.joined()
        default: break
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
    /// Marks declared objects that exist without poolnet's marks as poolnet's (`--adopt`).
    public var adopt = false
    /// `plan` finds the declared objects that exist without poolnet's marks, to name them
    /// (`Plan.unowned`); `check` and apply's own plans do not.
    public var listsUnowned = true
    /// Where iSCSI, multipath and the ownership record live; tests point these at fixture trees.
    public var storageRoots = StorageRoots()
    public var commandRunner: any CommandRunner = ProcessRunner()
    /// Where the host's other network managers keep their state (tests: captured trees).
    public var foreignRoots = ForeignManagerRoots()
    /// Called with the plan before the first change reaches the host: the caller makes its
    /// write-ahead journal record (and arms a revert) durable here. If it throws, nothing is sent.
    public var beforeFirstWrite: (@Sendable (Plan) throws -> Void)?
    /// Called once the first plan is made, before it is checked, guarded or applied (and before
    /// a no-op returns; in `plan`, before the storage paths are probed): the caller's last word on
    /// whether to go on, e.g. the rest of the pool file's validation, which runs meanwhile. What it
    /// throws, `apply` and `plan` throw, having written nothing.
    public var afterPlanning: (@Sendable () throws -> Void)?
    /// The same for the steps of a second round (multipath maps of LUNs that appeared at login).
    public var beforeMoreWrites: (@Sendable ([Change]) throws -> Void)?
    /// Test hook: batches of at most N requests, M ms apart (see `Executor.batchPause`).
    public var batchPause: (requests: Int, milliseconds: UInt32)?
    /// Test hook: the apply SIGKILLs itself before this step (see `Executor.killAt`).
    public var killAtStep: Int?
    /// Decide address ownership by the pool's record alone, as on kernels without IFA_PROTO
    /// (`POOLNET_FORCE_ADDRESS_RECORD=1`; tests run both ways on one kernel).
    public var forceAddressRecord = ProcessInfo.processInfo.environment["POOLNET_FORCE_ADDRESS_RECORD"] == "1"

    public init(netns: String? = nil, logger: Logger = Logger(label: "poolnet")) {
        self.netns = netns
        self.logger = logger
    }

    /// The live state: one dump per object class; bridge VLANs, sysctls and default routes only
    /// as far as `desired` manages them.
    public func read(for desired: DesiredState? = nil) throws -> CurrentState {
        let storage = try storageBackend(for: desired)
        let keeper = desired.map(addressRecord)
        return try NetworkNamespace.run(netns) { try Self.read(using: try RouteSocket(), for: desired, storage: storage, keeper: keeper) }
    }

    /// Where `desired.pool`'s addresses are recorded, and how ownership is decided.
    func addressRecord(_ desired: DesiredState) -> AddressRecordKeeper {
        AddressRecordKeeper(path: storageRoots.ownership, pool: OwnershipRecord.addressKey(pool: desired.pool, netns: netns),
                            forceRecord: forceAddressRecord)
    }

    /// The iSCSI backend when the file declares iSCSI, or when poolnet still owns ifaces it must
    /// clean up; nil otherwise (no iscsiadm runs at all).
    func storageBackend(for desired: DesiredState?) throws -> StorageBackends {
        // `show` without a file reads links and addresses only.
        guard let desired else { return StorageBackends() }
        let owned = try OwnershipRecord.load(storageRoots.ownership).owned(by: desired.pool)
        var roots = storageRoots
        roots.pool = desired.pool
        var backends = StorageBackends()
        if desired.iscsi != nil && netns != nil {
            throw StorageError("iSCSI runs only in the host's own network namespace (iscsid's netlink is not namespace-aware); drop --netns")
        }
        // Owned ifaces to clean up live in the host's namespace, not in a --netns sandbox.
        if desired.iscsi != nil || (!owned.iscsiIfaces.isEmpty && netns == nil) {
            backends.iscsi = ISCSIBackend(runner: commandRunner, roots: roots, managedSettings: ISCSISettingKeys.all)
        }
        if !desired.vports.isEmpty || !owned.fcVPorts.isEmpty {
            backends.fc = FCBackend(root: storageRoots.sys, ownership: storageRoots.ownership, pool: desired.pool)
        }
        backends.foreign = ForeignManagerReader(roots: foreignRoots, pool: desired.pool, configFiles: netns == nil)
        backends.foreignDevices = desired.coexistDevices
        backends.handOver = HandOver(roots: foreignRoots, runner: commandRunner)
        return backends
    }

    /// `baseHolds`: the classes `base` was completed with already (the prefetch's guess from the
    /// parsed file); they are dumped again only when the file's state needs others.
    /// `remotesOf`: only these VXLANs' remote VTEPs are read; `base` holds the others' (the
    /// verification of a small plan).
    static func read(using socket: RouteSocket, for desired: DesiredState?, base: CurrentState? = nil, baseHolds: ReadClasses? = nil,
                     remotesOf: Set<String>? = nil, storage: StorageBackends = StorageBackends(),
                     keeper: AddressRecordKeeper? = nil) throws -> CurrentState {
        var state = try base ?? StateReader.readBase(using: socket)
        PhaseTrace.mark("  read: links, addresses")
        let classes = ReadClasses(desired)
        if base == nil || baseHolds != classes { try classes.complete(&state, using: socket, remotesOf: base == nil ? nil : remotesOf) }
        if let desired {
            // promote_secondaries only for links with two IPv4 addresses in one subnet.
            PhaseTrace.mark("  read: the classes the file needs (routes, VLANs, remotes)")
            let keys = SortedSysctlKeys.sorted(desired.sysctlKeysToRead.union(state.promoteSecondariesKeysToRead))
            if !keys.isEmpty { state.sysctls = SysctlStore().read(keys, links: state.links) }
            PhaseTrace.mark("  read: sysctls")
        }
        try keeper?.readOwnership(into: &state, using: socket)
        PhaseTrace.mark("  read: address ownership")
        try storage.read(into: &state)
        PhaseTrace.mark("  read: storage, other managers")
        return state
    }

    /// The classes no file changes (links, bridge and bond options, addresses). Callers start this
    /// while they parse the file, then pass it as `base`; it must be read after taking the lock.
    public func readBase() throws -> CurrentState {
        try NetworkNamespace.run(netns) { try StateReader.readBase(using: try RouteSocket()) }
    }

    /// The plan for `desired` against the live state (completing `base` when given).
    /// `health`: also probe the storage paths (`check`, and `plan` as a pre-flight).
    public func plan(_ desired: DesiredState, base: PrefetchedState? = nil, health: Bool = false) throws -> (plan: Plan, current: CurrentState) {
        let storage = try storageBackend(for: desired)
        let force = self.force
        let keeper = addressRecord(desired)
        let logger = self.logger
        let adopt = self.adopt
        let listsUnowned = self.listsUnowned
        let afterPlanning = self.afterPlanning
        return try NetworkNamespace.run(netns) { () throws -> (plan: Plan, current: CurrentState) in
            let current = try Self.read(using: try RouteSocket(), for: desired, base: base?.state, baseHolds: base?.holds, storage: storage, keeper: keeper)
            if let mode = current.addressOwnership?.mode {
                let why = keeper.forceRecord ? "forced by POOLNET_FORCE_ADDRESS_RECORD=1"
                    : mode == .kernelMark ? "the kernel keeps address protocols" : "the kernel drops IFA_PROTO (before Linux 6.1)"
                logger.info("address ownership: \(mode) (\(why))")
            }
            var plan = Planner.plan(desired: desired, current: current, force: force, adopt: adopt, listUnowned: listsUnowned)
            try afterPlanning?()  // before the storage paths are probed
            if health { plan.health = StorageHealth(probe: PathProbe()).findings(desired, current) }
            return (plan, current)
        }
    }

    /// Applies what the plan says, verifies by a fresh read (of the links it touched, for a small
    /// plan) that nothing is left to do and that no address it did not remove is gone, and rolls
    /// every applied step back if a step or the verification fails. Returns the applied plan.
    @discardableResult
    public func apply(_ desired: DesiredState, base: PrefetchedState? = nil) throws -> Plan {
        let logger = self.logger
        let failStep = self.failStep
        let guardRail = allowDisruptive ? nil : self.guardRail
        let guestGuard = allowDisruptive ? nil : GuestGuard()
        let storage = try storageBackend(for: desired)
        let force = self.force
        let keeper = addressRecord(desired)
        let adopt = self.adopt
        let afterPlanning = self.afterPlanning
        return try NetworkNamespace.run(netns) { () throws -> Plan in
            let socket = try RouteSocket()
            var before = try Self.read(using: socket, for: desired, base: base?.state, baseHolds: base?.holds, storage: storage, keeper: keeper)
            PhaseTrace.mark("apply: state read")
            var executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: Self.scratchGroup(unusedIn: before), storage: storage)
            executor.logger = logger
            executor.addressRecord = keeper
            let first = Planner.planWithPoolAddresses(desired: desired, current: before, force: force, adopt: adopt)
            var plan = first.plan
            PhaseTrace.mark("apply: planned")
            try afterPlanning?()
            PhaseTrace.mark("apply: pool validation waited for")
            guard plan.problems.isEmpty else { throw PlanBlocked(plan: plan) }
            guard !plan.changes.isEmpty else {
                try keeper.settle(desired: desired, state: before, poolAddresses: first.poolAddresses)
                return plan
            }
            if let guardRail {
                // The read above holds every default route already when the file has storage NICs
                // (`read` dumps them then); none found is an answer, not a reason to dump again (a
                // route that appeared since, e.g. DHCP's at boot, is as new to a second dump taken
                // a few milliseconds later).
                if before.routes.isEmpty && desired.nics.isEmpty {
                    let names = Dictionary(before.links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
                    before.routes = try DefaultRoutes.read(names: names)
                }
                try guardRail.check(plan, against: before)
            }
            try guestGuard?.check(plan, desired: desired, against: before)
            PhaseTrace.mark("apply: guard rails checked")
            logger.notice("applying \(plan.changes.count) changes on host \(plan.host)")
            // The record as found, so that a rollback can leave it so (before its first write).
            let context = RollbackContext(executor: executor, desired: desired, before: before, keeper: keeper, logger: logger,
                                          record: try keeper.snapshot())
            var translator = RequestTranslator(state: before)
            // Addresses enter the pool's record before the kernel has them (a stale entry, should
            // the journal refuse next, is harmless and cleared by the next apply).
            try keeper.recordBefore(plan.changes, desired: desired, state: before, indexes: translator.indexes(after: plan.changes),
                                    poolAddresses: first.poolAddresses)
            try beforeFirstWrite?(plan)
            executor.batchPause = batchPause
            executor.killAt = killAtStep
            // Hand-over drop-ins first; the rest is planned again once the other manager let go.
            let planned = plan.changes
            let handedOver: [Change]
            (plan, handedOver) = try Self.handOverFirst(plan, before: &before, context: context, socket: socket, force: force, adopt: adopt)
            // Without hand-over steps the plan is unchanged; with them, a set (an array's contains
            // was quadratic: seconds of CPU for 7,000 changes).
            let plannedSet = handedOver.isEmpty ? [] : Set(planned)
            let replanned = handedOver.isEmpty ? [] : plan.changes.filter { !plannedSet.contains($0) }
            if !replanned.isEmpty {
                translator = RequestTranslator(state: before)
                try keeper.recordBefore(plan.changes, desired: desired, state: before, indexes: translator.indexes(after: plan.changes))
                do { try beforeMoreWrites?(replanned) } catch {
                    throw try Self.rollBack(handedOver, cause: "\(error)", context)
                }
            }
            if !handedOver.isEmpty { translator = RequestTranslator(state: before) }  // `before` was read again
            let rest = Array(plan.changes.dropFirst(handedOver.count))
            PhaseTrace.mark("apply: ownership record, journal and any hand-over done")
            let outcome = try executor.run(rest, translator: &translator, stopOnError: true, failAt: failStep)
            var applied = handedOver + outcome.tookEffect(rest)
            if let failure = outcome.firstFailure {
                throw try Self.rollBack(applied, cause: failure.cause, error: failure, partly: outcome.partlyApplied(rest), context)
            }
            PhaseTrace.mark("apply: changes sent")
            var after = try Self.readAfter(plan.changes, before: before, desired: desired, using: socket, storage: storage, keeper: keeper)
            PhaseTrace.mark("apply: verification read")
            var (remaining, poolAddresses) = Planner.planWithPoolAddresses(desired: desired, current: after, force: force, adopt: adopt)
            PhaseTrace.mark("apply: verification planned")
            // LUNs appear only after login: their multipath maps are a second round.
            if remaining.problems.isEmpty, !remaining.changes.isEmpty, remaining.changes.allSatisfy(\.isFollowUp) {
                logger.notice("adding \(remaining.changes.count) multipath maps for LUNs that appeared after login")
                do { try beforeMoreWrites?(remaining.changes) } catch {
                    throw try Self.rollBack(applied, cause: "\(error)", context)
                }
                let next = try executor.run(remaining.changes, translator: &translator, stopOnError: true)
                applied += next.tookEffect(remaining.changes)
                plan.changes += remaining.changes
                if let failure = next.firstFailure {
                    throw try Self.rollBack(applied, cause: failure.cause, error: failure, partly: next.partlyApplied(remaining.changes), context)
                }
                after = try Self.read(using: socket, for: desired, storage: storage, keeper: keeper)
                (remaining, poolAddresses) = Planner.planWithPoolAddresses(desired: desired, current: after, force: force, adopt: adopt)
            }
            // Nothing foreign lost: an address the plan did not remove must still be there.
            let lost = LostAddresses.find(before: before, after: after, changes: plan.changes)
            if !remaining.isEmpty || !lost.isEmpty {
                var cause = ""
                if !lost.isEmpty {
                    cause += "verification found addresses gone that the plan did not remove:\n"
                        + lost.map { "  \($0.prefix) on \($0.link) (proto \($0.proto))\n" }.joined()
                }
                if !remaining.isEmpty { cause += "verification found changes still to make after apply:\n" + remaining.renderPlan() }
                cause += Self.unmarkedNote(remaining)
                // Rolling back a lost address's "removal" adds it again with its own protocol, after
                // every other undo (its primary, or the MTU it needs, comes back first).
                let readd = lost.map { Change(.removeAddress(link: $0.link, prefix: $0.prefix, proto: $0.proto), reason: "lost as a side effect") }
                throw try Self.rollBack(readd + applied, cause: cause, context)
            }
            try keeper.settle(desired: desired, state: after, poolAddresses: poolAddresses)
            PhaseTrace.mark("apply: ownership record settled")
            return plan
        }
    }

    /// What a rollback inside an apply needs: the state read before, to prove the host is back.
    struct RollbackContext {
        var executor: Executor
        var desired: DesiredState
        var before: CurrentState
        var keeper: AddressRecordKeeper
        var logger: Logger
        /// The ownership record before the apply's first write; nil: not known (left as reconciled).
        var record: AddressRecordKeeper.Snapshot? = nil
    }

    /// Why an adopted address can still show its old protocol after the replace that re-marked it:
    /// some kernels that keep IFA_PROTO do not change it on NLM_F_REPLACE (seen for IPv4 on Linux
    /// 6.1). Said only when the verification read shows such a step still to do.
    static func unmarkedNote(_ remaining: Plan) -> String {
        let unmarked = remaining.changes.compactMap { change -> String? in
            guard case .markAddress(let m) = change.action, m.remarks else { return nil }
            return "\(m.prefix) on \(m.link)"
        }
        guard !unmarked.isEmpty else { return "" }
        return "the kernel kept the protocol of \(unmarked.joined(separator: ", ")) after the replace that re-marks it (kernels such as "
            + "Linux 6.1 keep IFA_PROTO but do not change an IPv4 address's on NLM_F_REPLACE): those addresses cannot be adopted by a mark on this kernel\n"
    }

    /// A link group nobody uses, for deleting many links in one step.
    static func scratchGroup(unusedIn state: CurrentState) -> UInt32? {
        let used = Set(state.links.map(\.group))
        return (0x706e_0001...0x706e_00ff).first { !used.contains($0) }
    }

    /// Undoes `applied` in reverse order, each undo computed from the state read before apply. All
    /// undo steps run; one failing does not stop the others. Then a fresh read is compared with
    /// the state read before apply, and the failure says what differs (nothing: as it was).
    /// `partly`: the changes of which only part took effect (they are among `applied`).
    static func rollBack(_ applied: [Change], cause: String, error: StepError? = nil, partly: [(Change, StepError)] = [],
                         _ context: RollbackContext) throws -> ApplyFailure {
        let executor = context.executor
        context.logger.warning("rolling back \(applied.count) steps: \(cause)")
        var failure = ApplyFailure(cause: cause, stepError: error)
        failure.partlyApplied = partly.map { PartlyApplied($0.0, $0.1) }
        if !applied.isEmpty {
            // Names resolve against the state as it is now, after the partial apply.
            var translator = RequestTranslator(state: try read(using: executor.socket, for: context.desired, storage: executor.storage))
            let undos = applied.reversed().map(\.inverse)
            let outcome = try executor.run(undos, translator: &translator, stopOnError: false)
            for (undo, result) in zip(undos, outcome.steps) {
                if let error = result.error { failure.notRolledBack.append(NotUndone(undo.inverse, .failed(error))) } else { failure.rolledBack.append(undo) }
            }
        }
        // Claims come from reads: the same classes and sysctls as the read before apply.
        if var now = try? read(using: executor.socket, for: context.desired, storage: executor.storage) {
            now.sysctls = SysctlStore().read(context.before.sysctls.map(\.key), links: now.links)
            failure.differences = now.differences(from: context.before)
            try? context.keeper.reconcile(state: now)
            if failure.restored, failure.notRolledBack.isEmpty, let record = context.record {
                try? context.keeper.restore(record, state: now)
            }
        }
        return failure
    }
}
