/// The conservation laws of a run, checked between segments of a run by the tests (TigerBeetle style): nothing here
/// runs on the hot path. Each broken law is one line naming it and the numbers that break it.
extension World {
    func checkInvariants(queue: borrowing EventQueue) -> [String] {
        var problems: [String] = []
        let liveRequests = requests.liveSet()
        let liveAttempts = attempts.liveSet()
        func isLive(_ live: [Bool], _ id: UInt32) -> Bool { Int(id) < live.count && live[Int(id)] }

        // Every client request is succeeded, failed, or still open.
        var openClientRequests = 0
        for (id, live) in liveRequests.enumerated() where live && requests.items[id].caller == 0 { openClientRequests += 1 }
        let t = stats.totals
        if t.requests != t.succeeded + t.failed + openClientRequests {
            problems.append("requests \(t.requests) != succeeded \(t.succeeded) + failed \(t.failed) + open \(openClientRequests)")
        }

        // Every client attempt sent is answered (one outcome each), timed out, or still in flight.
        var inFlight = 0
        for (id, live) in liveAttempts.enumerated() where live {
            let a = attempts.items[id]
            if !a.abandoned && a.request != AttemptState.none {  // (a health probe has no request)
                guard isLive(liveRequests, a.request), requests.items[Int(a.request)].generation == a.requestGeneration else {
                    problems.append("attempt \(id) is in flight for request \(a.request), which is not live (or another request now)")
                    continue
                }
                if requests.items[Int(a.request)].caller == 0 { inFlight += 1 }
            }
        }
        let answered: Int = t.succeeded + t.nonRetryable + t.errors + t.rejected + (t.throttled + t.conflicts)
        if t.attempts != answered + t.timeouts + t.cancelled + inFlight {
            problems.append("attempts \(t.attempts) != answered \(answered) + timed out \(t.timeouts) + cancelled \(t.cancelled) + in flight \(inFlight)")
        }
        if t.retries > t.attempts { problems.append("retries \(t.retries) > attempts \(t.attempts)") }

        // Each request's list of attempts in flight holds exactly the attempts that are in flight for it; a finished
        // request has none.
        var listed = 0
        for (id, live) in liveRequests.enumerated() {
            var a = requests.items[id].firstAttempt
            guard live else {
                if a != AttemptState.none { problems.append("finished request \(id) still lists attempt \(a)") }
                continue
            }
            var length = 0
            while a != AttemptState.none {
                length += 1
                guard isLive(liveAttempts, a), length <= attempts.items.count else {
                    problems.append("request \(id) lists attempt \(a), which is freed (or the list loops)")
                    break
                }
                let attempt = attempts.items[Int(a)]
                if attempt.abandoned || attempt.request != UInt32(id) || attempt.requestGeneration != requests.items[id].generation {
                    problems.append("request \(id) lists attempt \(a), which is abandoned or another request's")
                }
                a = attempt.nextSibling
            }
            listed += length
        }
        var notAbandoned = 0
        for (id, live) in liveAttempts.enumerated() where live {
            let a = attempts.items[id]
            if !a.abandoned && a.request != AttemptState.none { notAbandoned += 1 }
            let s = Int(a.service)
            if s >= services.count || !services[s].instances.contains(Int(a.instance)) {
                problems.append("attempt \(id) is at instance \(a.instance), not one of service \(s)'s")
            }
        }
        if listed != notAbandoned { problems.append("requests list \(listed) attempts in flight, \(notAbandoned) are") }

        // A least-request balancer counts exactly its caller's attempts in flight at each instance.
        var perInstance = [Int](repeating: 0, count: callers.count * instances.count)
        for (id, live) in liveRequests.enumerated() where live {
            var a = requests.items[id].firstAttempt
            var steps = 0
            while a != AttemptState.none && Int(a) < attempts.items.count && steps < 1_000 {
                perInstance[Int(requests.items[id].caller) * instances.count + Int(attempts.items[Int(a)].instance)] += 1
                a = attempts.items[Int(a)].nextSibling
                steps += 1
            }
        }
        // Envoy's max_requests counts exactly each host's attempts in flight, within the limit.
        for (c, caller) in callers.enumerated() where caller.maxRequests < Int.max {
            let listedHere = (0..<instances.count).reduce(0) { $0 + perInstance[c * instances.count + $1] }
            let counted = caller.attemptsInFlight.reduce(0) { $0 + Int($1) }
            if counted != listedHere { problems.append("caller \(c) counts \(counted) attempts in flight for max_requests, \(listedHere) are") }
            if let over = caller.attemptsInFlight.first(where: { Int($0) > caller.maxRequests }) {
                problems.append("caller \(c) has \(over) attempts in flight on a host, over max_requests \(caller.maxRequests)")
            }
        }
        for c in callers.indices {
            for s in services.indices {
                let b = Int(balancerIndex[c * services.count + s])
                guard b >= 0, balancers[b].kind == .leastRequest else { continue }
                let set = balancers[b]
                for i in services[s].instances {
                    let counted = stride(from: i - set.first, to: set.active.count, by: set.count).reduce(0) { $0 + Int(set.active[$1]) }
                    if counted != perInstance[c * instances.count + i] {
                        problems.append("caller \(c)'s balancer counts \(counted) attempts in flight at instance \(i), \(perInstance[c * instances.count + i]) are")
                    }
                }
            }
        }

        // Requests never exceed their caller's attempts.
        for (id, live) in liveRequests.enumerated() where live {
            let r = requests.items[id]
            if Int(r.attemptsSent) > callers[Int(r.caller)].policy.attemptsPerRequest {
                problems.append("request \(id) sent \(r.attemptsSent) attempts, more than \(callers[Int(r.caller)].policy.attemptsPerRequest)")
            }
        }

        // Services: workers and queues within bounds, totals that add up.
        var nextInstance = 0
        for (index, s) in services.enumerated() {
            let name = s.config.name
            if s.instances.lowerBound != nextInstance { problems.append("\(name): instances \(s.instances) do not follow the previous service's") }
            nextInstance = s.instances.upperBound
            for i in s.instances where i < instances.count {
                let instance = instances[i]
                let workers = s.config.workers(ofInstance: i - s.instances.lowerBound)
                if instance.busy < 0 || instance.busy > workers {
                    problems.append("\(name) instance \(i): \(instance.busy) busy workers of \(workers)")
                }
                if instance.queue.count > instance.queue.capacity {
                    problems.append("\(name) instance \(i): queue \(instance.queue.count) over capacity \(instance.queue.capacity)")
                }
                if Double(instance.busy) != instance.busyGauge.value || Double(instance.queue.count) != instance.queueGauge.value {
                    problems.append("\(name) instance \(i): \(instance.busy) busy and \(instance.queue.count) queued, gauges say \(instance.busyGauge.value) and \(instance.queueGauge.value)")
                }
            }
            let n = counts(service: index)
            if n.served + n.rejected + n.throttled > n.arrivals {
                problems.append("\(name): served \(n.served) + rejected \(n.rejected) + throttled \(n.throttled) > arrivals \(n.arrivals)")
            }
            if n.wasted > n.served { problems.append("\(name): wasted \(n.wasted) > served \(n.served)") }
        }

        // The services' gauges of instances out of the picks and of limits follow the balancers and limiters.
        for (s, service) in services.enumerated() {
            var outNow = 0
            for set in balancers where set.service == s && set.watches {
                for u in 0..<set.units { outNow += set.count - Int(set.healthyCount[u]) }
            }
            if Double(outNow) != service.outGauge.value {
                problems.append("\(service.config.name): \(outNow) instances out of the picks, the gauge says \(service.outGauge.value)")
            }
            if service.limited {
                let limits = service.instances.reduce(0) { $0 + instances[$1].limit }
                if Double(limits) != service.limitGauge.value {
                    problems.append("\(service.config.name): limits sum to \(limits), the gauge says \(service.limitGauge.value)")
                }
            }
            // Crashes: the down gauge counts the crashed instances; a crashed one holds nothing, and no attempt is
            // in service at a crashed instance.
            let down = service.instances.filter { instances[$0].crashed }
            if Double(down.count) != service.downGauge.value {
                problems.append("\(service.config.name): \(down.count) instances down, the gauge says \(service.downGauge.value)")
            }
            for i in down where instances[i].busy != 0 || instances[i].queue.count != 0 {
                problems.append("\(service.config.name) instance \(i) is down but holds \(instances[i].busy) in service and \(instances[i].queue.count) queued")
            }
        }
        let liveSlots = attempts.liveSet()
        var inService = [Int](repeating: 0, count: instances.count)
        for (slot, a) in attempts.items.enumerated() where a.inService {
            if !liveSlots[slot] { problems.append("freed attempt \(slot) is marked in service") } else { inService[Int(a.instance)] += 1 }
        }
        for (i, instance) in instances.enumerated() where services[serviceOf(instance: i)].crashes && inService[i] != instance.busy {
            problems.append("instance \(i): \(instance.busy) busy workers, \(inService[i]) attempts in service")
        }

        // Message queues: the depth gauge counts the visible messages not deleted; every message sent is gone,
        // visible, or in flight; deleted ones were sent.
        for (s, q) in messageQueues.queues.enumerated() {
            guard let q else { continue }
            var visible = 0
            for k in 0..<q.visible.count where !messageQueues.messages[Int(q.visible.element(at: k))].gone { visible += 1 }
            if Double(visible) != q.depthGauge.value {
                problems.append("\(services[s].config.name): \(visible) messages visible, the depth gauge says \(q.depthGauge.value)")
            }
            if q.deleted + q.deadLettered > q.sentCount {
                problems.append("\(services[s].config.name): \(q.deleted) deleted + \(q.deadLettered) dead-lettered > \(q.sentCount) sent")
            }
            let busy = instances[services[s].instances.lowerBound].busy
            let processing = messageQueues.consumers.filter { Int($0.queue) == s && $0.next < $0.batch.count }.count
            if busy != processing { problems.append("\(services[s].config.name): \(busy) consumers busy, \(processing) are processing") }
        }

        if nextInstance != instances.count { problems.append("\(instances.count) instances, services own \(nextInstance)") }

        // No pending event refers to a freed slot (a timeout may be stale: its generation tells).
        queue.forEachPending { e in
            switch e.kind {
            case .serviceDone, .callReady:
                // An attempt lost in a crash may have been freed since: its generation tells.
                let current = !F.fleet || (Int(e.a) < attempts.items.count && attempts.items[Int(e.a)].generation == e.b)
                if current && !isLive(liveAttempts, e.a) {
                    problems.append("a current \(e.kind) refers to freed attempt \(e.a)")
                }
            case .attemptArrives, .responseArrives, .versionRead, .writeArrives:
                if !isLive(liveAttempts, e.a) { problems.append("\(e.kind) at \(e.time.seconds) s refers to freed attempt \(e.a)") }
            case .attemptTimeout:
                if Int(e.a) < attempts.items.count, attempts.items[Int(e.a)].generation == e.b, !isLive(liveAttempts, e.a) {
                    problems.append("a current timeout refers to freed attempt \(e.a)")
                }
            case .retryDue, .attemptReady:
                if !isLive(liveRequests, e.a) { problems.append("\(e.kind) at \(e.time.seconds) s refers to freed request \(e.a)") }
            case .clientArrival:
                let bound = arrivals.sources
                if Int(e.a) >= bound { problems.append("clientArrival for client \(e.a) of \(bound)") }
            case .faultChanges:
                if e.b == ConditionChange.autoscaleSync {
                    if Int(e.a) >= services.count || autoscalers[Int(e.a)] == nil { problems.append("an autoscaler sync for service \(e.a), which has none") }
                } else if e.b & ConditionChange.instance != 0 {
                    if Int(e.a) >= instances.count { problems.append("a crash check or restart for instance \(e.a) of \(instances.count)") }
                } else if Int(e.a) >= services.count {
                    problems.append("faultChanges for service \(e.a) of \(services.count)")
                }
            case .queueTimer:
                if Int(e.a) >= messageQueues.messages.count { problems.append("a visibility timer for message \(e.a) of \(messageQueues.messages.count)") }
            case .healthProbe:
                if Int(e.a) >= balancers.count || balancers[Int(e.a)].health == nil {
                    problems.append("healthProbe for balancer set \(e.a), which has no health checks")
                }
            case .hedgeDue:
                if Int(e.a) < requests.items.count, requests.items[Int(e.a)].generation == e.b, !isLive(liveRequests, e.a) {
                    problems.append("a current hedge timer refers to freed request \(e.a)")
                }
            case .outlierSweep:
                if Int(e.a) >= balancers.count || balancers[Int(e.a)].detector == nil {
                    problems.append("outlierSweep for balancer set \(e.a), which has no outlier detection")
                }
            }
        }
        return problems
    }
}
