// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "poolnet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "poolnet", targets: ["poolnet"]),
        .executable(name: "poolnet-bench", targets: ["poolnet-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // C libraries (Debian: libnl-route-3-dev, libmnl-dev). Only the Netlink target imports them.
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0", providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),

        // Shared vocabulary: live-state model, addresses, interface names.
        .target(name: "HostState", dependencies: ["SystemCalls"]),
        // The topology file: parsing with source marks, validation, per-host resolution.
        .target(name: "Topology", dependencies: ["HostState", "SystemCalls", .product(name: "Yams", package: "Yams")]),
        // Pure diff: desired + current -> ordered plan of changes with inverses.
        .target(name: "Planner", dependencies: ["Topology", "HostState"]),
        // The only code that touches libmnl and libnl: dumps, batched writes, namespaces.
        .target(name: "Netlink", dependencies: ["CNetlink", "CMnl", "HostState", "SystemCalls"]),
        // libc outside the Netlink target, in one file (Syscalls.swift), and the one process runner.
        .target(name: "SystemCalls"),
        // Host state outside netlink: sysctls, iSCSI, multipath, FC/NPIV, probes, the state directory.
        .target(name: "Storage", dependencies: ["HostState", "SystemCalls"]),
        // read -> plan -> apply -> read -> verify, rollback.
        .target(name: "Engine", dependencies: [
            "Topology", "HostState", "Planner", "Netlink", "Storage", "SystemCalls",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "poolnet", dependencies: [
            "Engine", "Topology", "Planner", "HostState", "Storage", "SystemCalls",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // poolnet against `ip -batch`, side by side, in fresh namespaces (build with -c release).
        .executableTarget(name: "poolnet-bench", dependencies: ["SystemCalls"]),

        // Yams: the reference the parser's own composer is compared with (YAMLComposerTests).
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "HostState", "TestSupport", .product(name: "Yams", package: "Yams")],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Topology", "HostState", "Engine", "Storage", "TestSupport"], resources: [.copy("Fixtures")]),
        // The journal, the state directory, the step wire format and the executor's step outcomes: no root needed.
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Planner", "HostState", "Storage", "Netlink", "SystemCalls"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "HostState", "SystemCalls"], resources: [.copy("Fixtures")]),
        // The netlink codec: every request kind to bytes, every parsed reply from bytes; no socket, no root.
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink", "HostState"]),
        // Throwaway network namespaces, a process runner and pool-file helpers, shared by the tests.
        .target(name: "TestSupport", dependencies: ["Storage", 
            "Engine", "Topology", "HostState",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "NamespaceTests", dependencies: ["Engine", "Netlink", "Topology", "Planner", "HostState", "Storage", "TestSupport"]),
        // Kernel features this machine's kernel lacks (802.1Q, bonding, VLAN filtering): run in the VM tier.
        .testTarget(name: "KernelTests", dependencies: ["Engine", "Netlink", "Topology", "Planner", "HostState", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "Engine", "Topology"], exclude: ["DiffFixtures"]),
    ]
)
