/// What `poolnet --version` prints: the version and the source revision the binary was built from.
/// scripts/build-release bakes the revision in: it writes `BuildRevision.generated.swift` (not in
/// git) and compiles with `-D POOLNET_BAKED_REVISION`; any other build says it was not recorded.
enum BuildInfo {
    static let version = "0.1.0"
    #if POOLNET_BAKED_REVISION
    static let revision = bakedRevision
    #else
    static let revision = "source revision not recorded: not built by scripts/build-release"
    #endif
    static let versionLine = "\(version) (\(revision))"
}
