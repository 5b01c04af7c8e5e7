import Foundation

/// W(N): N bridges, N veth pairs (one end a port of each bridge), MTU 9000, one IPv4 address per
/// bridge, all up. The veth pairs stand in for NICs, so both tools find them existing.
struct Workload {
    let n: Int
    let dir: String

    func address(_ i: Int) -> String { "10.\(100 + i / 62500).\(i / 250 % 250).\(i % 250 + 1)" }

    /// The pool file poolnet applies.
    func topology(smallChange: Bool = false) -> String {
        var yaml = "pool: bench\nhosts: [b1]\nbridges:\n"
        for i in 0..<n {
            let mtu = smallChange && i == 0 ? 8000 : 9000
            let addr = smallChange && i == 1 ? "10.250.0.1/24" : "\(address(i))/24"
            yaml += "  - { name: br\(i), mtu: \(mtu), ports: [v\(i)], addresses: [\"\(addr)\"] }\n"
        }
        return yaml
    }

    /// The same operations for `ip -batch`.
    var ipCreate: String {
        (0..<n).map { i in
            ["link add br\(i) type bridge", "link set br\(i) mtu 9000", "link set v\(i) mtu 9000", "link set v\(i) master br\(i)",
             "addr add \(address(i))/24 dev br\(i)", "link set v\(i) up", "link set br\(i) up"].joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    var ipSmallChange: String { "link set br0 mtu 8000\naddr del \(address(1))/24 dev br1\naddr add 10.250.0.1/24 dev br1\n" }
    var ipDelete: String { (0..<n).map { "link del br\($0)" }.joined(separator: "\n") + "\n" }
    var veths: String { (0..<n).map { "link add v\($0) type veth peer name pv\($0)" }.joined(separator: "\n") + "\n" }

    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(dir)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh namespace holding only the N veth pairs.
    func freshNamespace(_ name: String) throws {
        _ = try? Measure.run(["ip", "netns", "del", name])
        try Measure.must(["ip", "netns", "add", name])
        try Measure.must(["ip", "-n", name, "-batch", try write("veths.batch", veths)])
    }
}
