/// What a world may have to handle beyond one instance per service and one attempt at a time: fixed at compile
/// time, so that a scenario that uses none of it pays nothing for it per event.
///
/// The fleet features (several instances behind balancers, health probes, concurrency limits, hedged requests,
/// Envoy's `max_requests`) each add a check on the hot path. The runner builds `World<FleetModel>` for a scenario
/// that uses any of them and `World<PlainModel>` for the rest; in the plain world each check is a constant and the
/// compiler drops the code behind it. Both give the same bytes for a scenario without fleet features (a test runs
/// every bundled scenario in both).
protocol ModelFeatures {
    /// Services may have several instances, probes, or concurrency limits; callers may hedge or cap their
    /// attempts in flight.
    static var fleet: Bool { get }
}

/// One instance per service, one attempt per request at a time: the checks for fleet features compile away.
enum PlainModel: ModelFeatures {
    static var fleet: Bool { false }
}

/// Every feature: what a scenario with instances, probes, limits, hedging or `max_requests` needs.
enum FleetModel: ModelFeatures {
    static var fleet: Bool { true }
}

extension Scenario {
    /// Whether running the scenario needs a world with the fleet features (`FleetModel`).
    var usesFleetFeatures: Bool {
        let policies = [clients.policy] + services.map(\.callPolicy)
        return services.contains { $0.instances > 1 || $0.concurrencyLimit != nil || $0.healthCheck != nil || $0.canCrash || $0.cache != nil || $0.autoscale != nil || $0.kind == .sqs }
            || policies.contains { $0.hedging != nil || $0.maxRequests != nil }
    }
}
