/// Horizontal autoscaling (`Service.autoscale`): Kubernetes' HPA syncs every period, measures the utilization of
/// the serving instances, and scales the fleet; new instances serve after their start-up, and instances scaled in
/// leave the balancers' picks at once and finish what they hold.
extension World {
    /// A sync of service `s`'s autoscaler: measure, recommend, decide, scale; the next sync follows.
    mutating func autoscaleSync(service s: Int, now: SimTime, queue: inout EventQueue) {
        guard var a = autoscalers[s] else { return }
        let range = services[s].instances
        let workers = Double(services[s].config.workers)
        // Measured: the instances that served through the whole period since the last sync.
        var worked: Int64 = 0
        var measured = 0
        for p in 0..<a.config.max {
            let busy = instances[range.lowerBound + p].busyTime
            if p < a.ready && a.readySince[p] <= a.lastSync {
                worked += busy - a.busyAtSync[p]
                measured += 1
            }
            a.busyAtSync[p] = busy
        }
        let period = Double((now - a.lastSync).nanoseconds)
        a.lastSync = now
        if measured > 0 {
            let utilization = Double(worked) / (workers * period * Double(measured))
            let raw = a.config.recommendation(
                measured: measured, unready: a.scaled - measured, utilization: utilization, current: a.scaled)
            let desired = a.decide(raw: raw, now: now)
            a.account(now: now)
            if desired > a.scaled {
                a.ups += 1
                for p in a.scaled..<desired {
                    a.readyDue[p] = now + a.config.startup
                    queue.schedule(.faultChanges, at: a.readyDue[p], a: UInt32(range.lowerBound + p), b: ConditionChange.ready)
                }
                a.scaled = desired
            } else if desired < a.scaled {
                a.downs += 1
                for p in desired..<a.scaled { a.readyDue[p] = .never }
                a.scaled = desired
                if a.ready > desired {
                    a.ready = desired
                    a.servingGauge.set(Double(desired), at: now, in: &stats.series)
                    setServing(service: s, count: desired, now: now)
                }
            }
        }
        autoscalers[s] = a
        queue.schedule(.faultChanges, at: now + a.config.sync, a: UInt32(s), b: ConditionChange.autoscaleSync)
    }

    /// Instance `i`, scaled up, has started: it serves now, unless it was scaled in meanwhile. Instances start in
    /// order, so it joins the serving ones at the end.
    mutating func instanceStarted(_ i: Int, now: SimTime) {
        let s = serviceOf(instance: i)
        let p = i - services[s].instances.lowerBound
        guard var a = autoscalers[s], a.readyDue[p] == now else { return }
        a.readyDue[p] = .never
        a.readySince[p] = now
        instances[i].startedAt = now  // warm-up, when the service has one
        if p == a.ready {
            a.ready += 1
            a.servingGauge.set(Double(a.ready), at: now, in: &stats.series)
        }
        autoscalers[s] = a
        setServing(service: s, count: a.ready, now: now)
    }

    /// Every balancer of service `s` picks among its first `count` instances from now on.
    mutating func setServing(service s: Int, count: Int, now: SimTime) {
        for b in balancers.indices where balancers[b].service == s { balancers[b].setLive(count, now: now) }
    }
}
