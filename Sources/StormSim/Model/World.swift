import Foundation

/// Everything a run simulates: clients that send requests and retry under their policy, the service they call,
/// the network between them. It reacts to one event at a time and keeps its statistics as it goes.
///
/// State lives in contiguous arrays of value types (clients, request and attempt slots, services, policy state);
/// an event carries only slot indices. Nothing here allocates per event once the pools have grown to the work in
/// flight.
struct World: EventHandler {
    /// The clients' policy (callers[0].policy).
    let policy: RetryPolicy
    /// False when the clients' policy has neither a breaker nor a token bucket, so no policy gauge needs updating.
    let hasPolicyGauges: Bool
    /// The clients (0) and every service that calls downstream (s + 1).
    var callers: [Caller]
    /// Per-request deadline of the clients, and whether attempts carry it downstream.
    let deadline: SimDuration?
    let propagateDeadline: Bool
    /// When clients send new requests.
    var arrivals: Arrivals
    let latency: Distribution
    let end: SimTime
    /// FIFO lanes of the event queue, used when a delay is constant (see `EventQueue`).
    let latencyLane: Int?
    let timeoutLane = 1

    var services: [ServiceState]
    /// Salts of the keyed draws for network latency, out to the service and back.
    let latencyOutSalt: UInt64
    let latencyBackSalt: UInt64
    /// Optimistic concurrency: the write and its reply are two more messages, with their own draws.
    let occWriteSalt: UInt64
    let occReplySalt: UInt64
    /// Key of the family of request keys: request n of client c has key child(child(requestFamily, c), n).
    let requestFamily: UInt64

    /// Salt of the keyed draw of each retry's jitter: retry n of a request draws the same in every variant.
    let jitterSalt: UInt64

    var requests = SlotPool<RequestState>()
    var attempts = SlotPool<AttemptState>()

    /// What the clients experienced, and the time series every component writes into.
    var stats: Statistics
    /// Requests to trace (the first `traceLimit` started) and what happened to them.
    let traceLimit: Int
    var trace: [TraceEvent] = []

    init(scenario: Scenario, traceRequests: Int = 0) {
        let streams = RandomStreams(seed: scenario.seed)
        policy = scenario.clients.policy
        arrivals = Arrivals(scenario.clients, streams: streams)
        deadline = scenario.clients.deadline
        propagateDeadline = scenario.clients.propagateDeadline
        latency = scenario.networkLatency
        end = SimTime.zero + scenario.duration
        latencyLane = scenario.networkLatency.isConstant ? 0 : nil
        latencyOutSalt = streams.key("network/out")
        latencyBackSalt = streams.key("network/back")
        occWriteSalt = streams.key("network/write")
        occReplySalt = streams.key("network/write-back")
        requestFamily = streams.key("request")
        jitterSalt = streams.key("client/jitter")
        traceLimit = traceRequests
        let names = scenario.services.map(\.name)
        var callers = [Caller(
            policy: policy, clients: scenario.clients.count, hosts: scenario.clients.hosts, targets: [scenario.targetIndex],
            streams: streams, label: "")]
        for s in scenario.services {
            callers.append(Caller(
                policy: s.callPolicy, clients: 1, hosts: 1, targets: s.calls.map { names.firstIndex(of: $0)! },
                streams: streams, label: "service/\(s.name)/"))
        }
        self.callers = callers
        hasPolicyGauges = callers[0].state.breaker != nil || callers[0].state.tokenBudget != nil

        let attemptColumns = min(policy.maxAttempts, ClientColumn.maxAttemptColumns)
        let columns = ClientColumn.count + attemptColumns + scenario.services.count * ServiceColumns.width
        let series = TimeSeries(interval: scenario.metricsInterval, end: scenario.duration, columns: columns)
        stats = Statistics(series: series, attemptColumns: attemptColumns)
        services = scenario.services.enumerated().map { i, s in
            ServiceState(config: s, streams: streams, columns: .forService(i, attemptColumns: attemptColumns), series: series)
        }
    }

    /// Schedules the first events: each client's first request, and every fault window's edges.
    mutating func start(queue: inout EventQueue) {
        for (s, service) in services.enumerated() {
            for (f, fault) in service.config.faults.enumerated() {
                queue.schedule(.faultChanges, at: .zero + fault.from, a: UInt32(s), b: UInt32(f))
                queue.schedule(.faultChanges, at: .zero + fault.to, a: UInt32(s), b: UInt32(f) | 0x8000_0000)
            }
        }
        arrivals.start(queue: &queue)
    }

    mutating func handle(_ event: Event, queue: inout EventQueue) {
        let now = event.time
        switch event.kind {
        case .clientArrival: clientArrival(event.a, now: now, queue: &queue)
        case .attemptArrives: attemptArrives(event.a, now: now, queue: &queue)
        case .callReady: callReady(event.a, now: now, queue: &queue)
        case .serviceDone: serviceDone(event.a, now: now, queue: &queue)
        case .responseArrives: responseArrives(event.a, outcome: Outcome(rawValue: event.b)!, now: now, queue: &queue)
        case .attemptTimeout: attemptTimedOut(event.a, generation: event.b, now: now, queue: &queue)
        case .retryDue: sendAttempt(event.a, now: now, queue: &queue)
        case .attemptReady: transmitAttempt(event.a, now: now, queue: &queue)
        case .versionRead: versionRead(event.a, now: now, queue: &queue)
        case .writeArrives: writeArrives(event.a, now: now, queue: &queue)
        case .faultChanges: faultChanges(service: Int(event.a), fault: Int(event.b & 0x7FFF_FFFF), opens: event.b & 0x8000_0000 == 0, now: now, queue: &queue)
        }
    }

    // MARK: clients: new requests

    mutating func clientArrival(_ a: UInt32, now: SimTime, queue: inout EventQueue) {
        guard let (client, number) = arrivals.next(a, now: now, queue: &queue) else { return }
        let traceId: Int32 = stats.totals.requests < traceLimit ? Int32(stats.totals.requests) : -1
        let request = requests.insert(RequestState(
            deadline: deadline.map { now + $0 } ?? .never,
            key: DrawKey.child(DrawKey.child(requestFamily, UInt64(client)), UInt64(number)),
            start: now, previousSleep: Double(policy.backoff.base.nanoseconds), parent: RequestState.none,
            client: client, attemptsSent: 0, traceId: traceId, caller: 0, target: UInt16(callers[0].targets[0])))
        stats.requestStarted(caller: 0, now: now)
        if !callers[0].plain { callers[0].state.requestStarted(client: client, now: now) }
        sendAttempt(request, now: now, queue: &queue)
    }

    // MARK: callers: attempts

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
    mutating func transmitAttempt(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        let client = requests[request].client
        let number = Int(requests[request].attemptsSent) + 1
        let key = DrawKey.child(requests[request].key, UInt64(number - 1))
        var breakerGeneration: UInt32?
        if let breaker = callers[c].policy.breaker, number == 1 || breaker.breaker.countRetries {
            guard let admitted = callers[c].state.breakerAdmits(client: client, now: now) else {
                fastFail(request, reason: .breaker, now: now, queue: &queue)
                return
            }
            breakerGeneration = admitted
        }
        if !callers[c].plain && callers[c].state.throttleRefuses(client: client, attemptKey: key, now: now) {
            fastFail(request, reason: .throttled, now: now, queue: &queue)
            return
        }
        requests[request].attemptsSent += 1
        let target = Int(requests[request].target)
        if number > 1 {
            services[target].retries += 1
            stats.series.add(services[target].columns.retries, at: now)
        }
        stats.attemptSent(caller: c, number: number, now: now)
        let requestDeadline = requests[request].deadline
        // A reused slot keeps its generation (bumped when it was freed); `insert` takes the last free slot.
        let generation = attempts.free.last.map { attempts[$0].generation } ?? 0
        let attempt = attempts.insert(AttemptState(
            deadline: propagateDeadline ? requestDeadline : .never, key: key, request: request,
            generation: generation, breakerGeneration: breakerGeneration, service: UInt16(target)))
        traceRequest(request, now, "send", "attempt \(number)")
        sendMessage(.attemptArrives, a: attempt, b: 0, salt: latencyOutSalt, now: now, queue: &queue)
        // The attempt times out after the policy's timeout, and at the latest at the request's deadline.
        var expiry = callers[c].policy.timeout.map { now + $0 } ?? .never
        if requestDeadline < expiry { expiry = requestDeadline }
        if expiry < .never {
            queue.schedule(.attemptTimeout, at: expiry, a: attempt, b: generation, lane: timeoutLane)
        }
        if c == 0 { syncPolicyGauges(now) }
    }

    /// Brings the breaker and token gauges up to date after the clients' policy state changed.
    mutating func syncPolicyGauges(_ now: SimTime) {
        guard hasPolicyGauges else { return }
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
            delay = latency.sample(&draw)
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
        releaseAttempt(attempt)
        if state.abandoned { return }  // the caller has moved on; the timeout already counted it
        let request = state.request
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
        let request = attempts[attempt].request
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
        attemptFailed(request, .timeout, hint: nil, now: now, queue: &queue)
    }

    /// Bookkeeping when an attempt's outcome is known to its caller: the breaker hears it, a retry's
    /// concurrency slot is given back.
    mutating func attemptEnded(_ request: UInt32, _ attempt: AttemptState, failed: Bool, now: SimTime) {
        let c = Int(requests[request].caller)
        let client = requests[request].client
        if let generation = attempt.breakerGeneration {
            callers[c].state.breakerRecord(client: client, failed: failed, generation: generation, now: now)
        }
        if requests[request].holdsRetrySlot {
            callers[c].state.retryEnded(client: client)
            requests[request].holdsRetrySlot = false
        }
    }

    mutating func releaseAttempt(_ attempt: UInt32) {
        attempts[attempt].generation &+= 1
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
            let (allowed, holdsSlot) = callers[c].state.tryRetry(client: client, afterTimeout: failure == .timeout, now: now)
            guard allowed else {
                giveUp(request, reason: .budget, now: now, queue: &queue)
                return
            }
            requests[request].holdsRetrySlot = holdsSlot
            requests[request].lastRetryAfterTimeout = failure == .timeout
        }
        traceRequest(request, now, "backoff", DurationText.format(delay))
        queue.schedule(.retryDue, at: now + delay, a: request)
        if c == 0 { syncPolicyGauges(now) }
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
        if c == 0 { syncPolicyGauges(now) }
    }

    mutating func succeed(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        if Statistics.counts(c) {
            let latency = now - requests[request].start
            stats.requestSucceeded(caller: c, latency: latency, now: now)
            traceRequest(request, now, "success", DurationText.format(latency))
        }
        finish(request, succeeded: true, now: now, queue: &queue)
        if c == 0 { syncPolicyGauges(now) }
    }

    mutating func finish(_ request: UInt32, succeeded: Bool, now: SimTime, queue: inout EventQueue) {
        let c = Int(requests[request].caller)
        let client = requests[request].client
        if !callers[c].plain {
            callers[c].state.requestFinished(
                client: client, succeeded: succeeded, lastRetryAfterTimeout: requests[request].lastRetryAfterTimeout)
        }
        let parent = requests[request].parent
        requests.remove(request)
        stats.requestFinished(caller: c, succeeded: succeeded, now: now)
        guard c == 0 else {
            downstreamCallFinished(parent, succeeded: succeeded, now: now, queue: &queue)
            return
        }
        arrivals.requestEnded(client: client, now: now, queue: &queue)
    }

    // MARK: services

    mutating func attemptArrives(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        services[s].arrivals += 1
        stats.series.add(services[s].columns.attempts, at: now)
        if services[s].isOCC {
            // Read the row's version; the reply crosses the network back.
            attempts[attempt].readVersion = services[s].version
            sendMessage(.versionRead, a: attempt, b: 0, salt: latencyBackSalt, now: now, queue: &queue)
            return
        }
        if let answered = services[s].outageAnswered {
            if answered {
                sendMessage(.responseArrives, a: attempt, b: Outcome.serverError.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
            } else if attempts[attempt].abandoned {
                releaseAttempt(attempt)  // the caller already gave up: nobody will ever look at it again
            } else {
                attempts[attempt].blackholed = true  // freed when the caller times out
                services[s].blackholed += 1
            }
        } else if let hint = services[s].throttle(now: now) {
            services[s].throttled += 1
            stats.series.add(services[s].columns.throttled, at: now)
            attempts[attempt].retryAfter = hint
            sendMessage(.responseArrives, a: attempt, b: Outcome.throttled.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        } else if services[s].busy < services[s].workersNow {
            startService(attempt, service: s, now: now, queue: &queue)
        } else if services[s].queue.count < services[s].queueCapacity {
            attempts[attempt].enqueuedAt = now
            services[s].enqueue(attempt, now: now)
            services[s].queueGauge.change(by: 1, at: now, in: &stats.series)
        } else {
            services[s].rejected += 1
            stats.series.add(services[s].columns.rejected, at: now)
            sendMessage(.responseArrives, a: attempt, b: Outcome.rejected.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        }
    }

    mutating func startService(_ attempt: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) {
        services[s].busy += 1
        services[s].busyGauge.change(by: 1, at: now, in: &stats.series)
        attempts[attempt].serviceStart = now
        var draw = DrawKey.source(attempts[attempt].key, services[s].timeSalt)
        var time = services[s].config.serviceTime.sample(&draw)
        if services[s].slowdown != 1 { time = SimDuration(saturating: Double(time.nanoseconds) * services[s].slowdown) }
        let penalty = services[s].concurrencyPenalty
        if penalty > 0 {
            // Congestive collapse: every other attempt in service makes this one slower.
            time = SimDuration(saturating: Double(time.nanoseconds) + Double(penalty) * Double(services[s].busy - 1))
        }
        let next: EventKind = services[s].hasCalls ? .callReady : .serviceDone
        queue.schedule(next, at: now + time, a: attempt)
    }

    /// The time before the downstream calls is over: call every service this one calls.
    mutating func callReady(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        if !services[s].holdsWorkerWhileCalling {
            // The worker is free while the calls are out; its work so far is accounted now.
            attempts[attempt].worked = (now - attempts[attempt].serviceStart).nanoseconds
            releaseWorker(service: s, worked: attempts[attempt].worked, now: now, queue: &queue)
        }
        let deadline = attempts[attempt].deadline
        if deadline <= now && services[s].dropExpired {
            // Nobody waits for the answer any more: do not call downstream.
            services[s].dropped += 1
            stats.series.add(services[s].columns.dropped, at: now)
            attempts[attempt].downstreamFailed = true
            attempts[attempt].pendingCalls = 1
            downstreamCallFinished(attempt, succeeded: false, now: now, queue: &queue)
            return
        }
        let targets = callers[s + 1].targets
        attempts[attempt].pendingCalls = UInt16(targets.count)
        for (j, target) in targets.enumerated() {
            let request = requests.insert(RequestState(
                deadline: deadline, key: DrawKey.child(attempts[attempt].key, 0xCA11 + UInt64(j)), start: now,
                previousSleep: Double(callers[s + 1].policy.backoff.base.nanoseconds), parent: attempt,
                client: 0, attemptsSent: 0, traceId: -1, caller: UInt16(s + 1), target: UInt16(target)))
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
        var draw = DrawKey.source(attempts[attempt].key, services[s].afterSalt)
        let after = services[s].config.afterCall.sample(&draw)
        queue.schedule(.serviceDone, at: now + after, a: attempt)
    }

    mutating func serviceDone(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        let holdsWorker = services[s].holdsWorkerWhileCalling || !services[s].hasCalls
        let worked = holdsWorker ? (now - attempts[attempt].serviceStart).nanoseconds : attempts[attempt].worked
        services[s].served += 1
        stats.series.add(services[s].columns.served, at: now)
        if attempts[attempt].abandoned {
            services[s].wasted += 1
            services[s].wastedTime += worked
            stats.series.add(services[s].columns.wasted, at: now)
        }
        let outcome: Outcome
        if attempts[attempt].downstreamFailed {
            outcome = .serverError  // a failed dependency fails the request
        } else {
            var draw = DrawKey.source(attempts[attempt].key, services[s].outcomeSalt)
            let u = draw.nextUnit()
            let errorRate = services[s].errorRateNow
            outcome = u < errorRate ? .serverError : u < errorRate + services[s].nonRetryableRate ? .nonRetryable : .success
        }
        sendMessage(.responseArrives, a: attempt, b: outcome.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        if holdsWorker { releaseWorker(service: s, worked: worked, now: now, queue: &queue) }
    }

    /// A worker is free: account its work and start the next queued attempt, if any.
    mutating func releaseWorker(service s: Int, worked: Int64, now: SimTime, queue: inout EventQueue) {
        services[s].busy -= 1
        services[s].busyGauge.change(by: -1, at: now, in: &stats.series)
        services[s].busyTime += worked
        if services[s].busy < services[s].workersNow { startQueued(service: s, now: now, queue: &queue) }
    }

    /// Starts queued attempts while workers are free, dropping on the way those whose deadline passed, that
    /// waited past the queue timeout, or that CoDel sheds.
    mutating func startQueued(service s: Int, now: SimTime, queue: inout EventQueue) {
        while services[s].busy < services[s].workersNow, services[s].outageAnswered == nil,
            let attempt = services[s].popQueued(now: now)
        {
            services[s].queueGauge.change(by: -1, at: now, in: &stats.series)
            let waited = (now - attempts[attempt].enqueuedAt).nanoseconds
            let expired = services[s].dropExpired && attempts[attempt].deadline <= now
            let tooLong = waited > services[s].queueTimeout
            if expired || tooLong || services[s].codelDrops(waited: waited, now: now) {
                services[s].dropped += 1
                stats.series.add(services[s].columns.dropped, at: now)
                sendMessage(.responseArrives, a: attempt, b: Outcome.rejected.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
                continue
            }
            startService(attempt, service: s, now: now, queue: &queue)
        }
    }

    /// A fault window opens or closes: recompute the service's effective parameters and use freed capacity.
    mutating func faultChanges(service s: Int, fault f: Int, opens: Bool, now: SimTime, queue: inout EventQueue) {
        services[s].activeFaults[f] = opens
        services[s].applyFaults()
        startQueued(service: s, now: now, queue: &queue)
    }

    // MARK: optimistic concurrency

    /// The client has the version: it sends its conditional write (unless it has given up on the attempt).
    mutating func versionRead(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        if attempts[attempt].abandoned {
            releaseAttempt(attempt)  // timed out while reading: the client never writes
            return
        }
        sendMessage(.writeArrives, a: attempt, b: 0, salt: occWriteSalt, now: now, queue: &queue)
    }

    /// The write lands if nobody wrote since this attempt's read; either way the answer crosses the network back.
    mutating func writeArrives(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        let outcome: Outcome
        if services[s].version == attempts[attempt].readVersion {
            services[s].version &+= 1
            services[s].served += 1
            stats.series.add(services[s].columns.served, at: now)
            outcome = .success
        } else {
            services[s].conflicts += 1
            outcome = .conflict
        }
        sendMessage(.responseArrives, a: attempt, b: outcome.rawValue, salt: occReplySalt, now: now, queue: &queue)
    }

    // MARK: statistics

    /// Records a step of a traced request (no work at all for requests that are not traced).
    mutating func traceRequest(_ request: UInt32, _ now: SimTime, _ event: String, _ detail: @autoclosure () -> String) {
        let id = requests[request].traceId
        guard id >= 0 else { return }
        trace.append(TraceEvent(
            request: Int(id), client: Int(requests[request].client), attempt: Int(requests[request].attemptsSent),
            time: now, event: event, detail: detail()))
    }

    /// Closes the time series at the end of the run.
    mutating func finishSeries() {
        stats.finish()
        for s in services.indices {
            services[s].busyGauge.finish(in: &stats.series)
            services[s].queueGauge.finish(in: &stats.series)
        }
    }
}

/// One step in the life of a traced request.
public struct TraceEvent: Equatable, Sendable {
    public var request: Int
    public var client: Int
    /// Attempts sent so far when it happened.
    public var attempt: Int
    public var time: SimTime
    public var event: String
    public var detail: String
}

/// How synchronised the attempts are: the most attempts sent in any 100 ms bin against the mean per bin over
/// the span from the first attempt to the last (fixed bins from time zero). Streaming: O(1) memory.
struct Synchrony {
    static let bin: Int64 = 100_000_000
    var firstBin: Int64 = -1
    var currentBin: Int64 = -1
    /// The span of the current bin: times only grow, so a division is needed only when a bin ends.
    var binStart: Int64 = 0
    var binEnd: Int64 = 0
    var inBin = 0
    var peak = 0
    var total = 0

    @inline(__always)
    mutating func record(_ now: SimTime) {
        if now.nanoseconds >= binEnd || now.nanoseconds < binStart { startBin(now.nanoseconds / Synchrony.bin) }
        inBin += 1
        total += 1
    }

    mutating func startBin(_ b: Int64) {
        if b != currentBin {
            peak = max(peak, inBin)
            if firstBin < 0 { firstBin = b }
            currentBin = b
            inBin = 0
        }
        binStart = b * Synchrony.bin
        binEnd = binStart + Synchrony.bin
    }

    mutating func finish() { peak = max(peak, inBin) }

    /// Peak over mean; NaN before any attempt.
    var peakToMean: Double {
        guard total > 0 else { return .nan }
        let bins = Double(currentBin - firstBin + 1)
        return Double(peak) / (Double(total) / bins)
    }
}
