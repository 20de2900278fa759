/// Active health checks of one balancer set: for each balancer (scope unit) and instance, the last answers of its
/// probes, and whether that balancer counts the instance healthy. Probes are sent by `World.healthProbe`.
struct HealthChecker {
    let config: HealthCheck
    let count: Int
    var healthy: [Bool]
    /// Successes (positive) or failures (negative) in a row.
    var streak: [Int32]
    /// Per position over every unit: probes sent, failed, and the times an instance was marked unhealthy.
    var probes: [Int]
    var failures: [Int]
    var markedDown: [Int]

    init(_ config: HealthCheck, units: Int, count: Int) {
        self.config = config
        self.count = count
        healthy = [Bool](repeating: true, count: units * count)
        streak = [Int32](repeating: 0, count: units * count)
        probes = [Int](repeating: 0, count: count)
        failures = probes
        markedDown = probes
    }

    /// A probe's result. - Returns: whether the instance changed state for that balancer.
    mutating func record(unit: Int, position: Int, success: Bool) -> Bool {
        let k = unit * count + position
        probes[position] += 1
        if success {
            streak[k] = max(streak[k], 0) &+ 1
            if !healthy[k] && Int(streak[k]) >= config.healthyThreshold {
                healthy[k] = true
                return true
            }
        } else {
            failures[position] += 1
            streak[k] = min(streak[k], 0) &- 1
            if healthy[k] && Int(-streak[k]) >= config.unhealthyThreshold {
                healthy[k] = false
                markedDown[position] += 1
                return true
            }
        }
        return false
    }
}
