/// Hedged requests (gRPC's hedging policy, `Policies/Hedging.swift`): the timers that send the next hedge, the
/// answers that end a request or let it go on, and the cancellation of the attempts still out when it ends.
extension World {
    /// A hedge timer: send the next hedge if the request is still the one it was armed for and has hedges left.
    mutating func hedgeDue(_ request: UInt32, generation: UInt32, now: SimTime, queue: inout EventQueue) {
        guard requests[request].generation == generation else { return }  // finished (the slot may hold another)
        _ = sendHedge(request, now: now, queue: &queue)
    }

    /// Sends the request's next hedge, if it has one left and its budgets allow it. - Returns: whether it went.
    mutating func sendHedge(_ request: UInt32, now: SimTime, queue: inout EventQueue) -> Bool {
        let c = Int(requests[request].caller)
        guard let hedging = callers[c].hedging, Int(requests[request].attemptsSent) < hedging.maxAttempts else { return false }
        if let percent = hedging.budgetPercent,
            Double(callers[c].hedgesSent + 1) > percent / 100 * Double(callers[c].requestsStarted)
        {
            return false  // the hedge budget is spent
        }
        if !callers[c].plain && !callers[c].state.budgets.isEmpty {
            // A hedge pays what a retry after an error pays.
            let (allowed, holdsSlot) = callers[c].state.tryRetry(client: requests[request].client, after: .error, now: now)
            guard allowed else { return false }
            if holdsSlot { requests[request].holdsRetrySlot = true }
        }
        let number = requests[request].attemptsSent + 1
        traceRequest(request, now, "hedge", "attempt \(number)")
        return transmitAttempt(request, now: now, queue: &queue, hedge: true)
    }

    /// A hedging request's attempt was answered (`attemptKey`: that attempt's draw key). The first success or
    /// fatal failure ends the request; a non-fatal failure sends the next hedge at once.
    mutating func hedgeAnswered(_ request: UInt32, outcome: Outcome, attemptKey: UInt64, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        switch outcome {
        case .success:
            if attemptKey != DrawKey.child(requests[request].key, 0) { stats.hedgeWon(caller: c) }
            if let q = callers[c].hedgeQuantile {
                // The adaptive delay: the quantile of the latencies seen so far, every 100 successes.
                callers[c].hedgeLatencies!.record((now - requests[request].start).nanoseconds)
                let n = callers[c].hedgeLatencies!.count
                if n % 100 == 0 {
                    callers[c].hedgeDelay = SimDuration(saturating: callers[c].hedgeLatencies!.quantile(q))
                }
            }
            succeed(request, now: now, queue: &queue)
        case .nonRetryable: giveUp(request, reason: .notRetryable, now: now, queue: &queue)
        case .serverError: hedgeFailed(request, .error, now: now, queue: &queue)
        case .rejected: hedgeFailed(request, .rejected, now: now, queue: &queue)
        case .throttled: hedgeFailed(request, .throttled, now: now, queue: &queue)
        case .conflict: hedgeFailed(request, .conflict, now: now, queue: &queue)
        }
    }

    /// An attempt of a hedging request failed (or timed out). A fatal failure ends the request; after a non-fatal
    /// one the next hedge goes at once, and the request fails only when no attempt is left out and none can go.
    mutating func hedgeFailed(_ request: UInt32, _ failure: RetryPolicy.Failure, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        // Retry throttling charges every failed attempt, hedges included (gRFC A6).
        if !callers[c].plain { callers[c].state.attemptFailed(client: requests[request].client) }
        guard callers[c].nonFatalMask & failure.bit != 0 else {
            giveUp(request, reason: .attempts, now: now, queue: &queue)
            return
        }
        if sendHedge(request, now: now, queue: &queue) { return }
        if requests[request].firstAttempt == AttemptState.none { giveUp(request, reason: .attempts, now: now, queue: &queue) }
    }

    /// The request has its answer: the attempts it still has out are cancelled at the caller (its balancer stops
    /// counting them; their answers, if any come, are ignored). With propagated cancellation, those still queued
    /// at their service are dropped when they reach the head.
    mutating func cancelAttempts(of request: UInt32, now: SimTime) {
        let c = Int(requests[request].caller)
        let propagate = callers[c].hedging?.propagateCancellation ?? false
        var a = requests[request].firstAttempt
        while a != AttemptState.none {
            let next = attempts[a].nextSibling
            attempts[a].abandoned = true
            if propagate { attempts[a].cancelled = true }
            balancerCancelled(a, request: request)
            leftFlight(request: request)
            stats.attemptCancelled(caller: c)
            traceRequest(request, now, "cancel", "")
            if attempts[a].blackholed { releaseAttempt(a) }  // nothing will ever answer it, and its timeout is now stale
            a = next
        }
        requests[request].firstAttempt = AttemptState.none
    }
}
