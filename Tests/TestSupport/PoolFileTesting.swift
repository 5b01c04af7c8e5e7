import HostState
import Topology
import XCTest

/// A test that turns pool-file text into the desired state of one host.
public protocol PoolFileTesting {
    /// The host the test's pool files are resolved for.
    var poolHost: String { get }
}

extension PoolFileTesting {
    /// The desired state of `host` (the test's host by default) from a pool file's text. The file
    /// must validate without a problem: a test file with a mistake fails here, not later.
    public func desired(_ yaml: String, host: String? = nil) throws -> DesiredState {
        let topology = try Topology.parse(yaml: yaml, file: "test.yaml")
        XCTAssertEqual(topology.validate().map(\.description), [])
        return try topology.resolve(host: host ?? poolHost)
    }
}

/// `state` with what the kernel chooses on its own cleared, for comparing a state before and after:
/// ifindexes and carrier, iSCSI session ids (records and ifaces in any order), vport names (a
/// kernel counter). Everything poolnet controls remains.
public func comparable(_ state: CurrentState) -> CurrentState {
    var n = state.normalized().ignoringKernelChosenFields
    if var iscsi = n.iscsi {
        iscsi.ifaces.sort { $0.name < $1.name }
        iscsi.nodes.sort { $0.key < $1.key }
        iscsi.sessions = iscsi.sessions.map { ISCSISession(id: 0, key: $0.key, state: $0.state) }
            .sorted { $0.key < $1.key }
        n.iscsi = iscsi
    }
    if var fc = n.fc {
        fc.vports = fc.vports.map { var v = $0; v.name = ""; return v }.sorted { $0.portName < $1.portName }
        n.fc = fc
    }
    return n
}
