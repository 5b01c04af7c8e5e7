import HostState

extension CurrentState {
    /// The state with what the kernel chooses on its own cleared: ifindexes (recreated links get
    /// new ones) and carrier (settled on the kernel's time). Everything poolnet controls remains.
    public var ignoringKernelChosenFields: CurrentState {
        var s = self
        for i in s.links.indices {
            s.links[i].index = 0
            s.links[i].carrier = false
        }
        return s
    }
}
