/// The services' side: an attempt arrives, waits in the queue or is refused, is served (calling downstream services
/// on the way), and is answered; fault windows change a service's capacity, speed and errors.
extension World {
    mutating func attemptArrives(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        let i = Int(attempts[attempt].instance)
        attempts[attempt].stageStart = now
        instances[i].counts.arrivals += 1
        if F.fleet && instances[i].attemptsColumn >= 0 { stats.series.add(instances[i].attemptsColumn, at: now) }
        stats.series.add(services[s].columns.attempts, at: now)
        if F.fleet && services[s].isMessageQueue {
            messageSent(attempt, service: s, now: now, queue: &queue)
            return
        }
        if services[s].isOCC {
            // Read the row's version; the reply crosses the network back.
            attempts[attempt].readVersion = services[s].row.version
            sendMessage(.versionRead, a: attempt, b: 0, salt: latencyBackSalt, now: now, queue: &queue)
            return
        }
        if let answered = instances[i].outageAnswered {
            if traceOn { traceAttempt(attempt, now, answered ? "refused" : "blackholed", answered ? "outage" : "outage, no answer") }
            if answered {
                sendMessage(.responseArrives, a: attempt, b: Outcome.serverError.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
            } else if attempts[attempt].abandoned {
                releaseAttempt(attempt)  // the caller already gave up: nobody will ever look at it again
            } else {
                attempts[attempt].blackholed = true  // freed when the caller times out
                instances[i].counts.blackholed += 1
            }
        } else if let hint = services[s].throttle(now: now) {
            instances[i].counts.throttled += 1
            stats.series.add(services[s].columns.throttled, at: now)
            attempts[attempt].retryAfter = hint
            if traceOn { traceAttempt(attempt, now, "throttled", "rate limit; retry after \(DurationText.format(hint))") }
            sendMessage(.responseArrives, a: attempt, b: Outcome.throttled.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        } else if F.fleet && services[s].limited && instances[i].busy + instances[i].queue.count >= instances[i].limit {
            // Over the instance's concurrency limit: refused at once (503).
            if traceOn { traceAttempt(attempt, now, "refused", "concurrency limit \(instances[i].limit)") }
            instances[i].counts.rejected += 1
            stats.series.add(services[s].columns.rejected, at: now)
            sendMessage(.responseArrives, a: attempt, b: Outcome.rejected.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        } else if instances[i].hasIdleWorker {
            startService(attempt, service: s, instance: i, now: now, queue: &queue)
            if F.fleet && services[s].crashes { crashPressure(service: s, instance: i, now: now, queue: &queue) }
        } else if !instances[i].queue.isFull {
            instances[i].queue.enqueue(attempt, now: now)
            instances[i].queueGauge.change(by: 1, at: now, in: &stats.series)
            if traceOn { traceAttempt(attempt, now, "queued", "position \(instances[i].queue.count)") }
            if F.fleet && services[s].crashes { crashPressure(service: s, instance: i, now: now, queue: &queue) }
        } else {
            if traceOn { traceAttempt(attempt, now, "refused", "queue full") }
            instances[i].counts.rejected += 1
            stats.series.add(services[s].columns.rejected, at: now)
            sendMessage(.responseArrives, a: attempt, b: Outcome.rejected.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        }
    }

    mutating func startService(_ attempt: UInt32, service s: Int, instance i: Int, now: SimTime, queue: inout EventQueue) {
        instances[i].workerStarts(now: now, series: &stats.series)
        attempts[attempt].serviceStart = now
        if traceOn { traceAttempt(attempt, now, "serve", "waited \(DurationText.format(now - attempts[attempt].stageStart))") }
        let probe = F.fleet && attempts[attempt].request == AttemptState.none
        var draw = DrawKey.source(attempts[attempt].key, services[s].timeSalt)
        var time = probe ? services[s].probeTime : services[s].config.serviceTime.sample(&draw, normals: normals)
        if instances[i].slowdown != 1 { time = SimDuration(saturating: Double(time.nanoseconds) * instances[i].slowdown) }
        if F.fleet && services[s].crashes {
            attempts[attempt].inService = true
            let warm = warmupFactor(service: s, instance: i, now: now)
            if warm != 1 { time = SimDuration(saturating: Double(time.nanoseconds) * warm) }
        }
        if F.fleet && services[s].cached && !probe && cacheHit(attempt, service: s, now: now, queue: &queue) {
            queue.schedule(.serviceDone, at: now + caches[s]!.config.hitTime, a: attempt, b: attempts[attempt].generation)
            return
        }
        let penalty = services[s].concurrencyPenalty
        if penalty > 0 {
            // Congestive collapse: every other attempt in service makes this one slower.
            time = SimDuration(saturating: Double(time.nanoseconds) + Double(penalty) * Double(instances[i].busy - 1))
        }
        let next: EventKind = services[s].hasCalls && !probe ? .callReady : .serviceDone
        queue.schedule(next, at: now + time, a: attempt, b: F.fleet ? attempts[attempt].generation : 0)
    }

    /// The time before the downstream calls is over: call every service this one calls.
    mutating func callReady(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        if !services[s].holdsWorkerWhileCalling {
            // The worker is free while the calls are out; its work so far is accounted now.
            attempts[attempt].worked = (now - attempts[attempt].serviceStart).nanoseconds
            releaseWorker(service: s, instance: Int(attempts[attempt].instance), worked: attempts[attempt].worked, now: now, queue: &queue)
        }
        let deadline = attempts[attempt].deadline
        if deadline <= now && services[s].dropExpired {
            // Nobody waits for the answer any more: do not call downstream.
            instances[Int(attempts[attempt].instance)].counts.dropped += 1
            stats.series.add(services[s].columns.dropped, at: now)
            attempts[attempt].downstreamFailed = true
            attempts[attempt].pendingCalls = 1
            downstreamCallFinished(attempt, succeeded: false, now: now, queue: &queue)
            return
        }
        if F.fleet && services[s].cached && awaitsFetch(attempt, service: s) { return }
        callDownstream(attempt, service: s, deadline: deadline, now: now, queue: &queue)
    }

    /// Sends `attempt`'s calls to every service `s` calls, each a request of the service's caller.
    mutating func callDownstream(_ attempt: UInt32, service s: Int, deadline: SimTime, now: SimTime, queue: inout EventQueue) {
        let targets = callers[s + 1].targets
        attempts[attempt].pendingCalls = UInt16(targets.count)
        for (j, target) in targets.enumerated() {
            let request = requests.insert(RequestState(
                deadline: deadline, key: DrawKey.child(attempts[attempt].key, 0xCA11 + UInt64(j)), start: now,
                previousSleep: Double(callers[s + 1].policy.backoff.base.nanoseconds), parent: attempt,
                client: 0, traceId: traceOn ? tracedId(of: attempt) : -1, attemptsSent: 0, caller: UInt16(s + 1), target: UInt16(target)))
            if !callers[s + 1].plain { callers[s + 1].state.requestStarted(client: 0, now: now) }
            sendAttempt(request, now: now, queue: &queue)
        }
    }

    /// One downstream call of `attempt` finished; when all have, the time after them begins.
    mutating func downstreamCallFinished(_ attempt: UInt32, succeeded: Bool, now: SimTime, queue: inout EventQueue) {
        if !succeeded { attempts[attempt].downstreamFailed = true }
        attempts[attempt].pendingCalls -= 1
        guard attempts[attempt].pendingCalls == 0 else { return }
        let s = Int(attempts[attempt].service)
        if F.fleet && services[s].cached {
            if attempts[attempt].breakerGeneration == AttemptState.refresh && attempts[attempt].request == AttemptState.none {
                refreshed(attempt, service: s, now: now)
                return
            }
            fetched(attempt, service: s, now: now, queue: &queue)
        }
        var draw = DrawKey.source(attempts[attempt].key, services[s].afterSalt)
        let after = services[s].config.afterCall.sample(&draw, normals: normals)
        queue.schedule(.serviceDone, at: now + after, a: attempt, b: F.fleet ? attempts[attempt].generation : 0)
    }

    mutating func serviceDone(_ attempt: UInt32, generation: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        if F.fleet && services[s].isMessageQueue {
            messageProcessed(attempt, service: s, now: now, queue: &queue)
            return
        }
        if F.fleet && services[s].crashes {
            // Lost in a crash (and perhaps freed since): its instance no longer serves it.
            guard attempts[attempt].generation == generation, !attempts[attempt].lost else { return }
            attempts[attempt].inService = false
        }
        let holdsWorker = services[s].holdsWorkerWhileCalling || !services[s].hasCalls
            || (F.fleet && (attempts[attempt].request == AttemptState.none || attempts[attempt].cacheHit))
        let worked = holdsWorker ? (now - attempts[attempt].serviceStart).nanoseconds : attempts[attempt].worked
        let i = Int(attempts[attempt].instance)
        instances[i].counts.served += 1
        stats.series.add(services[s].columns.served, at: now)
        if attempts[attempt].abandoned {
            instances[i].counts.wasted += 1
            instances[i].counts.wastedTime += worked
            stats.series.add(services[s].columns.wasted, at: now)
        }
        let outcome: Outcome
        if attempts[attempt].downstreamFailed {
            outcome = .serverError  // a failed dependency fails the request
        } else {
            var draw = DrawKey.source(attempts[attempt].key, services[s].outcomeSalt)
            let u = draw.nextUnit()
            let errorRate = instances[i].errorRateNow
            outcome = u < errorRate ? .serverError : u < errorRate + services[s].nonRetryableRate ? .nonRetryable : .success
        }
        if traceOn { traceAttempt(attempt, now, "served", "\(outcome)\(attempts[attempt].abandoned ? " (its caller had given up)" : "")") }
        sendMessage(.responseArrives, a: attempt, b: outcome.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        if F.fleet && services[s].limited { limiterSample(attempt, instance: i, now: now) }
        if holdsWorker { releaseWorker(service: s, instance: Int(attempts[attempt].instance), worked: worked, now: now, queue: &queue) }
    }

    /// A worker of instance `i` is free: account its work and start the instance's next queued attempt, if any.
    mutating func releaseWorker(service s: Int, instance i: Int, worked: Int64, now: SimTime, queue: inout EventQueue) {
        instances[i].workerFree(worked: worked, now: now, series: &stats.series)
        if instances[i].hasIdleWorker { startQueued(service: s, instance: i, now: now, queue: &queue) }
        if F.fleet && services[s].crashes { crashPressure(service: s, instance: i, now: now, queue: &queue) }
    }

    /// Starts instance `i`'s queued attempts while it has free workers, dropping on the way those whose deadline
    /// passed, that waited past the queue timeout, or that CoDel sheds.
    mutating func startQueued(service s: Int, instance i: Int, now: SimTime, queue: inout EventQueue) {
        while instances[i].hasIdleWorker, instances[i].outageAnswered == nil,
            let attempt = instances[i].queue.pop(now: now)
        {
            instances[i].queueGauge.change(by: -1, at: now, in: &stats.series)
            let waited = (now - attempts[attempt].stageStart).nanoseconds
            let expired = (services[s].dropExpired && attempts[attempt].deadline <= now) || attempts[attempt].cancelled
            if instances[i].queue.drops(waited: waited, expired: expired, now: now) {
                if traceOn { traceAttempt(attempt, now, "dropped", "waited \(DurationText.format(SimDuration(nanoseconds: waited)))\(expired ? ", deadline passed" : "")") }
                instances[i].counts.dropped += 1
                stats.series.add(services[s].columns.dropped, at: now)
                sendMessage(.responseArrives, a: attempt, b: Outcome.rejected.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
                continue
            }
            startService(attempt, service: s, instance: i, now: now, queue: &queue)
        }
    }

    /// A fault window opens or closes: recompute the service's effective parameters, pass its capacity to its
    /// instances, and use freed capacity.
    mutating func faultChanges(service s: Int, fault f: Int, opens: Bool, now: SimTime, queue: inout EventQueue) {
        services[s].activeFaults[f] = opens
        let fault = services[s].config.faults[f]
        if fault.effect == .cacheFlush {
            cacheFlush(service: s, opens: opens)
            return
        }
        if fault.effect == .crash {
            crashWindow(service: s, fault: fault, opens: opens, now: now, queue: &queue)
            return
        }
        let range = services[s].instances
        for i in range where fault.hits(instance: i - range.lowerBound) {
            services[s].applyFaults(to: &instances[i], position: i - range.lowerBound)
            startQueued(service: s, instance: i, now: now, queue: &queue)
        }
    }

    /// Outlier detection's sweep: instances come back or are ejected, then the next sweep is set.
    mutating func outlierSweep(_ b: Int, now: SimTime, queue: inout EventQueue) {
        let change = balancers[b].sweep(now: now)
        if change != 0 { services[balancers[b].service].outGauge.change(by: Double(change), at: now, in: &stats.series) }
        if let d = balancers[b].detector { queue.schedule(.outlierSweep, at: now + d.config.interval, a: UInt32(b)) }
    }

    /// A served attempt is a sample for its instance's concurrency limiter: its time at the instance, the attempts
    /// the instance holds, and whether its caller had given up on it (a drop).
    mutating func limiterSample(_ attempt: UInt32, instance i: Int, now: SimTime) {
        let inflight = instances[i].busy + instances[i].queue.count
        limiters[i]!.sample(rtt: (now - attempts[attempt].stageStart).nanoseconds, inflight: inflight, dropped: attempts[attempt].abandoned)
        let limit = limiters[i]!.limit
        if limit != instances[i].limit {
            let s = Int(attempts[attempt].service)
            services[s].limitGauge.change(by: Double(limit - instances[i].limit), at: now, in: &stats.series)
            instances[i].limit = limit
        }
    }
}
