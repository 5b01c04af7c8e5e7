/// Bounds on what one pool file may cost to read, so that rejecting any file is quick and small
/// (docs/topology-format.md, "Limits"). Each bound has its own error naming the bound.
public enum InputLimits {
    /// The largest file poolnet reads.
    public static let maxFileBytes = 16 << 20
    /// YAML nodes written in the file (scalars, lists, mappings), counted before composing
    /// (about 35,000 bridges; composing and checking them takes about 2 s).
    public static let maxNodes = 250_000
    /// Hosts × values: validation resolves every value for every host. 16 hosts may have
    /// 125,000 values, 64 hosts 31,000 (about 4,500 bridges).
    public static let maxHostValues = 2_000_000
    /// `*alias` references in the file: each one is a node the composer shares, and long chains
    /// of them would make the composed tree deep.
    public static let maxAliases = 10_000
    /// Nodes that aliases add when expanded (an alias counts as a copy of what it names).
    public static let maxAliasExpansion = 100_000
    /// Nesting of lists and mappings, counting what aliases bring in.
    public static let maxDepth = 64
    /// Errors a run keeps; past this validation stops and says how many it did not look for.
    public static let maxErrors = 10_000
    /// Errors printed; the rest are counted ("and N more").
    public static let shownErrors = 100
}
