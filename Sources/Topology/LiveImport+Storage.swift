import HostState

extension LiveImport {
    /// iSCSI and NPIV as read through the storage backends. They are listed, not written as
    /// `iscsi:` and `fc:` sections yet: each line names what a file would have to declare.
    public static func storageNotes(iscsi: ISCSIState?, fc: FCState?) -> [String] {
        var notes: [String] = []
        if let iscsi {
            let builtIn: Set<String> = ["default", "iser", "bnx2i", "cxgb3i", "cxgb4i", "be2iscsi", "qla4xxx", "ocs"]
            let ifaces = iscsi.ifaces.filter { !builtIn.contains($0.name) }
            if let name = iscsi.initiatorName {
                notes.append("iSCSI initiator \(name): not imported yet (iscsi.initiator)")
            }
            for iface in ifaces.sorted(by: { $0.name < $1.name }) {
                notes.append("iSCSI iface \(iface.name) bound to \(iface.netIfaceName ?? iface.hwAddress ?? "nothing"): not imported yet (an iscsi.paths entry)")
            }
            for node in iscsi.nodes.sorted(by: { $0.key < $1.key }) {
                let session = iscsi.sessions.first { $0.key == node.key }.map { ", session \($0.state)" } ?? ""
                notes.append("iSCSI node \(node.key)\(session): not imported yet (iscsi.targets and the path's portals)")
            }
        }
        for vport in fc?.vports.sorted(by: { $0.portName < $1.portName }) ?? [] {
            let parent = fc?.hosts.first { $0.name == vport.parent }?.portName.description ?? vport.parent
            notes.append("NPIV vport \(vport.name) wwpn \(vport.portName) wwnn \(vport.nodeName) on \(parent): not imported yet (an fc.vports entry)")
        }
        return notes
    }
}
