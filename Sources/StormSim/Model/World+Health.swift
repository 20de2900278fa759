/// Active health checks (`HealthCheck`): each balancer probes each instance of a service every interval, and
/// leaves out of its picks an instance whose probes failed `unhealthyThreshold` times in a row, until
/// `healthyThreshold` succeed. A probe through the queue is an attempt with no request (`request` is
/// `AttemptState.none`; its balancer set in `breakerGeneration`, its unit and position in `requestGeneration`): it
/// waits for a worker like any attempt, is served in `probeTime` without calling downstream, and counts at its
/// instance like any attempt.
extension World {
    mutating func healthProbe(set b: Int, slot: Int, now: SimTime, queue: inout EventQueue) {
        guard let config = balancers[b].health?.config else { return }
        queue.schedule(.healthProbe, at: now + config.interval, a: UInt32(b), b: UInt32(slot))
        let count = balancers[b].count
        let instance = balancers[b].first + slot % count
        switch config.path {
        case .direct:
            // Answered out of band: it fails only while the instance is in an outage.
            let change = balancers[b].probed(
                unit: slot / count, position: slot % count, success: instances[instance].outageAnswered == nil, now: now)
            if change != 0 { services[balancers[b].service].outGauge.change(by: Double(change), at: now, in: &stats.series) }
        case .queue:
            let service = serviceOf(instance: instance)
            let key = DrawKey.child(probeFamily, probesSent)
            probesSent &+= 1
            let attempt = attempts.insert(AttemptState(
                deadline: .never, key: key, request: AttemptState.none, requestGeneration: UInt32(slot),
                instance: UInt32(instance), breakerGeneration: UInt32(b), service: UInt16(service)))
            let generation = attempts[attempt].generation
            sendMessage(.attemptArrives, a: attempt, b: 0, salt: latencyOutSalt, now: now, queue: &queue)
            queue.schedule(.attemptTimeout, at: now + config.timeout, a: attempt, b: generation, lane: timeoutLane)
        }
    }

    /// The service an instance belongs to.
    func serviceOf(instance i: Int) -> Int {
        services.firstIndex { $0.instances.contains(i) }!
    }

    /// A probe's answer came back, or its timeout expired (`outcome` nil).
    mutating func probeEnded(_ attempt: UInt32, outcome: Outcome?, now: SimTime) {
        let b = Int(attempts[attempt].breakerGeneration)
        let slot = Int(attempts[attempt].requestGeneration)
        let count = balancers[b].count
        let change = balancers[b].probed(unit: slot / count, position: slot % count, success: outcome == .success, now: now)
        if change != 0 { services[balancers[b].service].outGauge.change(by: Double(change), at: now, in: &stats.series) }
    }
}
