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
            if !a.abandoned {
                guard isLive(liveRequests, a.request), requests.items[Int(a.request)].generation == a.requestGeneration else {
                    problems.append("attempt \(id) is in flight for request \(a.request), which is not live (or another request now)")
                    continue
                }
                if requests.items[Int(a.request)].caller == 0 { inFlight += 1 }
            }
        }
        let answered: Int = t.succeeded + t.nonRetryable + t.errors + t.rejected + (t.throttled + t.conflicts)
        if t.attempts != answered + t.timeouts + inFlight {
            problems.append("attempts \(t.attempts) != answered \(answered) + timed out \(t.timeouts) + in flight \(inFlight)")
        }
        if t.retries > t.attempts { problems.append("retries \(t.retries) > attempts \(t.attempts)") }

        // Requests never exceed their caller's attempts.
        for (id, live) in liveRequests.enumerated() where live {
            let r = requests.items[id]
            if Int(r.attemptsSent) > callers[Int(r.caller)].policy.maxAttempts {
                problems.append("request \(id) sent \(r.attemptsSent) attempts, more than \(callers[Int(r.caller)].policy.maxAttempts)")
            }
        }

        // Services: workers and queues within bounds, totals that add up.
        for s in services {
            let name = s.config.name
            if s.busy < 0 { problems.append("\(name): \(s.busy) busy workers") }
            if s.queue.count > s.queue.capacity { problems.append("\(name): queue \(s.queue.count) over capacity \(s.queue.capacity)") }
            if s.served + s.rejected + s.throttled > s.arrivals {
                problems.append("\(name): served \(s.served) + rejected \(s.rejected) + throttled \(s.throttled) > arrivals \(s.arrivals)")
            }
            if s.wasted > s.served { problems.append("\(name): wasted \(s.wasted) > served \(s.served)") }
        }

        // No pending event refers to a freed slot (a timeout may be stale: its generation tells).
        queue.forEachPending { e in
            switch e.kind {
            case .attemptArrives, .serviceDone, .callReady, .responseArrives, .versionRead, .writeArrives:
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
                if Int(e.a) >= services.count { problems.append("faultChanges for service \(e.a) of \(services.count)") }
            }
        }
        return problems
    }
}
