/// The callers' side of a request: sending attempts (through limiters, breakers and throttling), the network,
/// how each attempt ends (answer or timeout), the retry decision applied, and how the request finishes.
extension World {
    /// The next attempt is due: wait for the caller's rate limiter if it says so, then transmit.
    mutating func sendAttempt(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        let wait = callers[c].plain ? .zero : callers[c].state.limiterDelay(
            client: requests[request].client, isRetry: requests[request].attemptsSent > 0, now: now)
        if wait > .zero {
            traceRequest(request, now, "limiter-wait", DurationText.format(wait))
            queue.schedule(.attemptReady, at: now + wait, a: request)
        } else {
            transmitAttempt(request, now: now, queue: &queue)
        }
    }

    /// Sends an attempt unless the breaker or adaptive throttling fails it fast (a request failed fast is not
    /// retried).
    /// A hedge (`hedge`) that the breaker or throttling refuses is not sent, and its request goes on.
    /// - Returns: whether the attempt went out.
    @discardableResult
    mutating func transmitAttempt(_ request: UInt32, now: SimTime, queue: inout EventQueue, hedge isHedge: Bool = false) -> Bool {
        let hedge = F.fleet && isHedge
        let c = Int(requests[request].caller)
        let client = requests[request].client
        let number = Int(requests[request].attemptsSent) + 1
        let key = DrawKey.child(requests[request].key, UInt64(number - 1))
        var breakerGeneration = AttemptState.noBreaker
        let guards = callers[c].breakerGuards
        if guards == .allAttempts || (guards == .firstAttempts && number == 1) {
            guard let admitted = callers[c].state.breakerAdmits(client: client, now: now) else {
                if !hedge { fastFail(request, reason: .breaker, now: now, queue: &queue) }
                return false
            }
            breakerGeneration = admitted ?? AttemptState.noBreaker
        }
        if F.fleet && callers[c].maxRequests < Int.max {
            // Envoy's max_requests: over it, the proxy answers 503 itself, and does not retry its own overflow.
            let host = Int(client) % callers[c].hosts
            guard Int(callers[c].attemptsInFlight[host]) < callers[c].maxRequests else {
                if !hedge { fastFail(request, reason: .overflow, now: now, queue: &queue) }
                return false
            }
        }
        if !callers[c].plain && callers[c].state.throttleRefuses(client: client, attemptKey: key, now: now) {
            if !hedge { fastFail(request, reason: .throttled, now: now, queue: &queue) }
            return false
        }
        let target = Int(requests[request].target)
        let instance = chooseInstance(service: target, request: request, key: key, now: now)
        if number > 1 && !hedge {
            instances[Int(instance)].counts.retries += 1
            stats.series.add(services[target].columns.retries, at: now)
        }
        stats.attemptSent(caller: c, number: number, hedge: hedge, now: now)
        let requestDeadline = requests[request].deadline
        let attempt = attempts.insert(AttemptState(
            deadline: propagateDeadline ? requestDeadline : .never, key: key, request: request,
            requestGeneration: requests[request].generation, nextSibling: requests[request].firstAttempt,
            instance: instance, breakerGeneration: breakerGeneration, service: UInt16(target)))
        requests[request].sent(attempt)
        if F.fleet && callers[c].maxRequests < Int.max { callers[c].attemptsInFlight[Int(client) % callers[c].hosts] += 1 }
        let generation = attempts[attempt].generation
        if traceOn {
            let position = Int(instance) - services[target].instances.lowerBound
            traceRequest(request, now, "send", "attempt \(number)", instance: position)
        }
        sendMessage(.attemptArrives, a: attempt, b: 0, salt: latencyOutSalt, now: now, queue: &queue)
        // The attempt times out after the policy's timeout, and at the latest at the request's deadline.
        var expiry = callers[c].policy.timeout.map { now + $0 } ?? .never
        if requestDeadline < expiry { expiry = requestDeadline }
        if expiry < .never {
            if queue.laneIsFull(timeoutLane) { makeRoomForTimeouts(queue: &queue) }
            queue.schedule(.attemptTimeout, at: expiry, a: attempt, b: generation, lane: timeoutLane)
        }
        if F.fleet && callers[c].hedges {
            if hedge { callers[c].hedgesSent += 1 } else { callers[c].requestsStarted += 1 }
            if number < callers[c].hedgeAttempts {
                queue.schedule(.hedgeDue, at: now + callers[c].hedgeDelay, a: request, b: requests[request].generation)
            }
        }
        syncPolicyGauges(caller: c, now)
        return true
    }

    /// The timeout lane is full: take out the timeouts of attempts that have already ended instead of growing it.
    /// Such a timeout would do nothing when it fires (`attemptTimedOut` ignores it), and once an attempt has ended
    /// its timeout stays dead (its slot's generation only moves on). In a burst of a million clients whose
    /// attempts are refused at once, each request leaves a dead timeout per attempt for a whole timeout period:
    /// most of the lane.
    mutating func makeRoomForTimeouts(queue: inout EventQueue) {
        queue.makeRoom(inLane: timeoutLane, countingBefore: end) { event in
            guard event.code == EventKind.attemptTimeout.rawValue else { return false }
            return attempts[event.a].generation != event.b || attempts[event.a].abandoned
        }
    }

    /// The instance of `service` an attempt of `request` (draw key `key`) goes to: its only one, or the caller's
    /// balancer's pick.
    @inline(__always)
    mutating func chooseInstance(service: Int, request: UInt32, key: UInt64, now: SimTime) -> UInt32 {
        let range = services[service].instances
        if !F.fleet || range.count == 1 { return UInt32(truncatingIfNeeded: range.lowerBound) }
        return balance(service: service, request: request, key: key, now: now)
    }

    /// A pick among several instances; a retry that avoids the hosts its request tried asks again.
    mutating func balance(service: Int, request: UInt32, key: UInt64, now: SimTime) -> UInt32 {
        let c = Int(requests[request].caller)
        let b = Int(balancerIndex[c * services.count + service])
        let client = requests[request].client
        let avoiding = callers[c].avoidsPreviousHosts
        if !avoiding && balancers[b].plainRoundRobin { return UInt32(truncatingIfNeeded: balancers[b].nextInTurn(client: client)) }
        // A ring hash keeps a client on one instance (a downstream call: the call, its retries included).
        let ringKey = balancers[b].kind != .ringHash ? 0
            : balancers[b].zipf != nil ? balancers[b].hotKey(request: requests[request].key)
            : c == 0 ? DrawKey.child(requestFamily, UInt64(client)) : requests[request].key
        let chosen = balancers[b].pick(
            client: client, key: key, ringKey: ringKey, avoid: avoiding ? requests[request].triedHosts : 0,
            reselect: avoiding ? callers[c].policy.hostReselectAttempts : 0, now: now)
        if avoiding { requests[request].triedHosts |= BalancerSet.bit(chosen - services[service].instances.lowerBound) }
        return UInt32(truncatingIfNeeded: chosen)
    }

    /// An attempt of `request` is no longer in flight for its caller (answered, timed out or cancelled).
    @inline(__always)
    mutating func leftFlight(request: UInt32) {
        let c = Int(requests[request].caller)
        if F.fleet && callers[c].maxRequests < Int.max { callers[c].attemptsInFlight[Int(requests[request].client) % callers[c].hosts] -= 1 }
    }

    /// A caller cancelled an attempt it had out: a least-request balancer stops counting it (outlier detection
    /// hears nothing: there was no answer).
    mutating func balancerCancelled(_ attempt: UInt32, request: UInt32) {
        let s = Int(attempts[attempt].service)
        guard F.fleet, services[s].balancersListen else { return }
        let b = Int(balancerIndex[Int(requests[request].caller) * services.count + s])
        balancers[b].cancelled(client: requests[request].client, instance: Int(attempts[attempt].instance))
    }

    /// A caller is done with an attempt, answered with `outcome` or timed out (nil): a least-request balancer
    /// stops counting it, outlier detection counts the answer (a 5xx, a refusal of a full queue (503) and a
    /// timeout (504) are errors; 503 and 504 are gateway failures).
    @inline(__always)
    mutating func balancerDone(_ attempt: UInt32, request: UInt32, outcome: Outcome?, now: SimTime) {
        let s = Int(attempts[attempt].service)
        guard F.fleet, services[s].balancersListen else { return }
        let b = Int(balancerIndex[Int(requests[request].caller) * services.count + s])
        guard b >= 0 else { return }
        let gateway = outcome == nil || outcome == .rejected
        let error = gateway || outcome == .serverError
        let change = balancers[b].finished(
            client: requests[request].client, instance: Int(attempts[attempt].instance), error: error, gateway: gateway,
            now: now)
        if change != 0 { services[s].outGauge.change(by: Double(change), at: now, in: &stats.series) }
    }

    /// Takes `attempt` off the list of its request's attempts in flight (it was answered, or its caller stopped
    /// waiting for it). The attempt's own `nextSibling` is left as it was: nothing walks from an attempt that is
    /// off the list.
    @inline(__always)
    mutating func detach(_ attempt: UInt32, from request: UInt32, next: UInt32, outcome: Outcome?, now: SimTime) {
        balancerDone(attempt, request: request, outcome: outcome, now: now)
        leftFlight(request: request)
        if requests[request].firstAttempt == attempt {
            requests[request].firstAttempt = next  // the common case: the only attempt in flight
            return
        }
        var previous = requests[request].firstAttempt
        while previous != AttemptState.none {
            if attempts[previous].nextSibling == attempt {
                attempts[previous].nextSibling = next
                return
            }
            previous = attempts[previous].nextSibling
        }
    }

    /// Brings the breaker and token gauges up to date after a caller's policy state changed (they show the
    /// clients' only).
    mutating func syncPolicyGauges(caller: Int, _ now: SimTime) {
        guard hasPolicyGauges && Statistics.counts(caller) else { return }
        stats.policyStateChanged(callers[0].state, now: now)
    }

    /// Puts a message about `attempt` on the network: it arrives after one latency draw, keyed by the attempt and
    /// the direction (`salt`).
    mutating func sendMessage(_ kind: EventKind, a attempt: UInt32, b: UInt32, salt: UInt64, now: SimTime, queue: inout EventQueue) {
        let delay: SimDuration
        if case .constant(let value) = latency {
            delay = value  // no draw needed (a constant samples nothing)
        } else {
            var draw = DrawKey.source(attempts[attempt].key, salt)
            delay = latency.sample(&draw, normals: normals)
        }
        if let lane = latencyLane {
            queue.schedule(kind, at: now + delay, a: attempt, b: b, lane: lane)
        } else {
            queue.schedule(kind, at: now + delay, a: attempt, b: b)
        }
    }

    // MARK: callers: how attempts end

    mutating func responseArrives(_ attempt: UInt32, outcome: Outcome, now: SimTime, queue: inout EventQueue) {
        let state = attempts[attempt]
        if state.abandoned {  // the caller has moved on; the timeout already counted it
            releaseAttempt(attempt)
            return
        }
        if F.fleet && state.request == AttemptState.none {  // a health probe
            probeEnded(attempt, outcome: outcome, now: now)
            releaseAttempt(attempt)
            return
        }
        let request = state.request
        // An answer for a request that has already finished (its slot may hold another request by now) changes
        // nothing: a cancelled or losing sibling attempt.
        guard requests[request].generation == state.requestGeneration else {
            releaseAttempt(attempt)
            return
        }
        detach(attempt, from: request, next: state.nextSibling, outcome: outcome, now: now)
        releaseAttempt(attempt)
        let c = Int(requests[request].caller)
        let client = requests[request].client
        let failed = outcome != .success && outcome != .nonRetryable
        attemptEnded(request, state, failed: failed, now: now)
        if !callers[c].plain {
            if callers[c].tracksAttempts { callers[c].state.attemptEnded(client: client, failed: failed, now: now) }
            if outcome.accepted { callers[c].state.recordAccept(client: client, now: now) }
            callers[c].state.limiterObserve(client: client, throttled: outcome == .throttled, now: now)
        }
        traceRequest(request, now, "response", "\(outcome)")
        if outcome != .success { stats.attemptFailed(caller: c, outcome, now: now) }
        if F.fleet && callers[c].hedges {
            hedgeAnswered(request, outcome: outcome, attemptKey: state.key, now: now, queue: &queue)
            return
        }
        switch outcome {
        case .success: succeed(request, now: now, queue: &queue)
        case .nonRetryable: giveUp(request, reason: .notRetryable, now: now, queue: &queue)
        case .serverError: attemptFailed(request, .error, hint: nil, now: now, queue: &queue)
        case .rejected: attemptFailed(request, .rejected, hint: nil, now: now, queue: &queue)
        case .throttled: attemptFailed(request, .throttled, hint: state.retryAfter, now: now, queue: &queue)
        case .conflict: attemptFailed(request, .conflict, hint: nil, now: now, queue: &queue)
        }
    }

    mutating func attemptTimedOut(_ attempt: UInt32, generation: UInt32, now: SimTime, queue: inout EventQueue) {
        // A timeout armed for an attempt that has since been answered (and its slot perhaps reused) is stale.
        // A freed slot's generation has been bumped, so the check also covers slots that are now free.
        guard attempts[attempt].generation == generation, !attempts[attempt].abandoned else { return }
        attempts[attempt].abandoned = true
        if F.fleet && attempts[attempt].request == AttemptState.none {  // a health probe: a failure
            probeEnded(attempt, outcome: nil, now: now)
            if attempts[attempt].blackholed { releaseAttempt(attempt) }
            return
        }
        let request = attempts[attempt].request
        detach(attempt, from: request, next: attempts[attempt].nextSibling, outcome: nil, now: now)
        let blackholed = attempts[attempt].blackholed
        defer { if blackholed { releaseAttempt(attempt) } }
        let c = Int(requests[request].caller)
        stats.attemptTimedOut(caller: c, now: now)
        attemptEnded(request, attempts[attempt], failed: true, now: now)
        if callers[c].tracksAttempts { callers[c].state.attemptEnded(client: requests[request].client, failed: true, now: now) }
        if callers[c].policy.rateLimiter?.limiter.adaptive == true {
            callers[c].state.limiterObserve(client: requests[request].client, throttled: false, now: now)
        }
        traceRequest(request, now, "timeout", "")
        if F.fleet && callers[c].hedges {
            hedgeFailed(request, .timeout, now: now, queue: &queue)
            return
        }
        attemptFailed(request, .timeout, hint: nil, now: now, queue: &queue)
    }

    /// Bookkeeping when an attempt's outcome is known to its caller: the breaker hears it, a retry's
    /// concurrency slot is given back.
    mutating func attemptEnded(_ request: UInt32, _ attempt: AttemptState, failed: Bool, now: SimTime) {
        let c = Int(requests[request].caller)
        let client = requests[request].client
        if attempt.breakerGeneration != AttemptState.noBreaker {
            callers[c].state.breakerRecord(client: client, failed: failed, generation: attempt.breakerGeneration, now: now)
        }
        if requests[request].holdsRetrySlot {
            callers[c].state.retryEnded(client: client)
            requests[request].holdsRetrySlot = false
        }
    }

    mutating func releaseAttempt(_ attempt: UInt32) {
        attempts.remove(attempt)
    }

    /// A failed attempt: charge the budgets for it, take the policy's decision, and apply it (a retry still needs
    /// the budgets' consent).
    mutating func attemptFailed(
        _ request: UInt32, _ failure: RetryPolicy.Failure, hint: SimDuration?, now: SimTime, queue: inout EventQueue
    ) {
        let c = Int(requests[request].caller)
        let client = requests[request].client
        if !callers[c].plain && callers[c].retryMask & failure.bit != 0 { callers[c].state.attemptFailed(client: client) }
        let sent = Int(requests[request].attemptsSent)
        var draw = DrawKey.source(DrawKey.child(requests[request].key, UInt64(sent)), jitterSalt)
        let (decision, previousSleep) = callers[c].policy.decide(
            after: failure, retryMask: callers[c].retryMask, attemptsSent: sent, now: now, started: requests[request].start,
            deadline: requests[request].deadline, hint: hint, previousSleep: requests[request].previousSleep, draw: &draw)
        requests[request].previousSleep = previousSleep
        guard case .retry(let delay) = decision else {
            if case .giveUp(let reason) = decision { giveUp(request, reason: reason, now: now, queue: &queue) }
            return
        }
        if !callers[c].plain && !callers[c].state.budgets.isEmpty {
            let (allowed, holdsSlot) = callers[c].state.tryRetry(client: client, after: failure, now: now)
            guard allowed else {
                giveUp(request, reason: .budget, now: now, queue: &queue)
                return
            }
            requests[request].holdsRetrySlot = holdsSlot
            requests[request].lastRetryAfter = failure
        }
        traceRequest(request, now, "backoff", DurationText.format(delay))
        queue.schedule(.retryDue, at: now + delay, a: request)
        syncPolicyGauges(caller: c, now)
    }

    mutating func fastFail(_ request: UInt32, reason: GiveUp, now: SimTime, queue: inout EventQueue) {
        stats.fastFailed(caller: Int(requests[request].caller), now: now)
        if requests[request].holdsRetrySlot {
            callers[Int(requests[request].caller)].state.retryEnded(client: requests[request].client)
            requests[request].holdsRetrySlot = false
        }
        giveUp(request, reason: reason, now: now, queue: &queue)
    }

    mutating func giveUp(_ request: UInt32, reason: GiveUp, now: SimTime, queue: inout EventQueue) {
        traceRequest(request, now, "give-up", reason.rawValue)
        let c = Int(requests[request].caller)
        stats.gaveUp(caller: c, reason, now: now)
        finish(request, succeeded: false, now: now, queue: &queue)
        syncPolicyGauges(caller: c, now)
    }

    mutating func succeed(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        let latency = now - requests[request].start
        if Statistics.counts(c) { stats.requestSucceeded(caller: c, latency: latency, now: now) }
        traceRequest(request, now, "success", DurationText.format(latency))
        finish(request, succeeded: true, now: now, queue: &queue)
        syncPolicyGauges(caller: c, now)
    }

    mutating func finish(_ request: UInt32, succeeded: Bool, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        let client = requests[request].client
        if !callers[c].plain {
            callers[c].state.requestFinished(
                client: client, succeeded: succeeded, lastRetryAfter: requests[request].lastRetryAfter)
        }
        if requests[request].firstAttempt != AttemptState.none { cancelAttempts(of: request, now: now) }
        let parent = requests[request].parent
        if traceOn && c == 0 && requests[request].traceId >= 0 { tracing.ended(requests[request].traceId, succeeded: succeeded) }
        requests.remove(request)
        stats.requestFinished(caller: c, succeeded: succeeded, now: now)
        guard c == 0 else {
            downstreamCallFinished(parent, succeeded: succeeded, now: now, queue: &queue)
            return
        }
        arrivals.requestEnded(client: client, now: now, queue: &queue)
    }
}
