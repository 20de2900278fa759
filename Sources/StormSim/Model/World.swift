import Foundation

/// Everything a run simulates: clients that send requests and retry, the service they call, the network between
/// them. It reacts to one event at a time and keeps its statistics as it goes.
///
/// State lives in contiguous arrays of value types (clients, request and attempt slots, services); an event carries
/// only slot indices. Nothing here allocates per event once the pools have grown to the work in flight.
struct World: EventHandler {
    let policy: RetryPolicy
    let arrival: Arrival
    let latency: Distribution
    let end: SimTime
    /// FIFO lanes of the event queue, used when a delay is constant (see `EventQueue`).
    let latencyLane: Int?
    let timeoutLane = 1

    var services: [ServiceState]
    let target: Int
    /// Salts of the keyed draws for network latency, out to the service and back.
    let latencyOutSalt: UInt64
    let latencyBackSalt: UInt64
    /// Key of the family of request keys: request n of client c has key child(child(requestFamily, c), n).
    let requestFamily: UInt64

    /// Per client: its arrival stream (poisson and closed) and how many requests it has sent.
    var clientArrivalRng: [Xoshiro256]
    var clientRequestCount: [UInt32]
    let jitterFamily: StreamFamily
    /// Burst arrivals in time order: (time, client).
    var burst: [(time: SimTime, client: UInt32)] = []

    var requests = SlotPool<RequestState>()
    var attempts = SlotPool<AttemptState>()

    var series: TimeSeries
    var inFlight: Gauge
    var totals = Totals()
    var latencyHistogram = Histogram()

    struct Totals {
        var requests = 0, attempts = 0, retries = 0, succeeded = 0, failed = 0
        var timeouts = 0, rejected = 0, errors = 0
        var lastFinish: SimTime? = nil
    }

    init(scenario: Scenario) {
        let streams = RandomStreams(seed: scenario.seed)
        policy = scenario.clients.policy
        arrival = scenario.clients.arrival
        latency = scenario.networkLatency
        end = SimTime.zero + scenario.duration
        latencyLane = scenario.networkLatency.isConstant ? 0 : nil
        target = scenario.targetIndex
        latencyOutSalt = streams.key("network/out")
        latencyBackSalt = streams.key("network/back")
        requestFamily = streams.key("request")
        jitterFamily = StreamFamily(streams: streams, label: "client/jitter")

        let columns = ClientColumn.count + scenario.services.count * ServiceColumns.width
        let series = TimeSeries(interval: scenario.metricsInterval, end: scenario.duration, columns: columns)
        self.series = series
        inFlight = Gauge(series: series, areaColumn: ClientColumn.inFlightArea, endColumn: ClientColumn.inFlightEnd)
        services = scenario.services.enumerated().map { i, s in
            ServiceState(config: s, streams: streams, columns: .forService(i), series: series)
        }

        let count = scenario.clients.count
        clientRequestCount = [UInt32](repeating: 0, count: count)
        switch scenario.clients.arrival {
        case .burst(let at, let spread):
            clientArrivalRng = []
            let family = StreamFamily(streams: streams, label: "client/arrival")
            burst = (0..<count).map { c in
                var rng = family.stream(UInt64(c))
                let offset = SimDuration(saturating: rng.uniform(0, Double(spread.nanoseconds)))
                return (SimTime.zero + at + offset, UInt32(c))
            }
            if spread > .zero {
                burst.sort { $0.time < $1.time || ($0.time == $1.time && $0.client < $1.client) }
            }
        case .poisson, .closed:
            let family = StreamFamily(streams: streams, label: "client/arrival")
            clientArrivalRng = (0..<count).map { family.stream(UInt64($0)) }
        }
    }

    /// Schedules the first events: each client's first request.
    mutating func start(queue: inout EventQueue) {
        switch arrival {
        case .burst:
            if let first = burst.first { queue.schedule(.clientArrival, at: first.time, a: 0) }
        case .poisson(let rate):
            let mean = Distribution.exponential(mean: SimDuration(saturating: 1e9 / rate))
            for c in clientArrivalRng.indices {
                queue.schedule(.clientArrival, at: .zero + mean.sample(&clientArrivalRng[c]), a: UInt32(c))
            }
        case .closed(let think):
            for c in clientArrivalRng.indices {
                queue.schedule(.clientArrival, at: .zero + think.sample(&clientArrivalRng[c]), a: UInt32(c))
            }
        }
    }

    mutating func handle(_ event: Event, queue: inout EventQueue) {
        let now = event.time
        switch event.kind {
        case .clientArrival: clientArrival(event.a, now: now, queue: &queue)
        case .attemptArrives: attemptArrives(event.a, now: now, queue: &queue)
        case .serviceDone: serviceDone(event.a, now: now, queue: &queue)
        case .responseArrives: responseArrives(event.a, outcome: Outcome(rawValue: event.b)!, now: now, queue: &queue)
        case .attemptTimeout: attemptTimedOut(event.a, generation: event.b, now: now, queue: &queue)
        case .retryDue: sendAttempt(event.a, now: now, queue: &queue)
        }
    }

    // MARK: clients

    mutating func clientArrival(_ a: UInt32, now: SimTime, queue: inout EventQueue) {
        let client: UInt32
        switch arrival {
        case .burst:
            client = burst[Int(a)].client
            let next = Int(a) + 1
            if next < burst.count { queue.schedule(.clientArrival, at: burst[next].time, a: UInt32(next)) }
        case .poisson(let rate):
            client = a
            let gap = -PortableMath.log(1 - clientArrivalRng[Int(a)].nextUnit()) * 1e9 / rate
            queue.schedule(.clientArrival, at: now + SimDuration(saturating: gap), a: a)
        case .closed:
            client = a
        }
        let number = clientRequestCount[Int(client)]
        clientRequestCount[Int(client)] &+= 1
        let request = requests.insert(RequestState(
            client: client, key: DrawKey.child(DrawKey.child(requestFamily, UInt64(client)), UInt64(number)),
            start: now, attemptsSent: 0, previousSleep: Double(policy.backoff.base.nanoseconds),
            jitterRng: jitterFamily.stream(UInt64(client), UInt64(number))))
        totals.requests += 1
        series.add(ClientColumn.requests, at: now)
        inFlight.change(by: 1, at: now, in: &series)
        sendAttempt(request, now: now, queue: &queue)
    }

    mutating func sendAttempt(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        requests[request].attemptsSent += 1
        totals.attempts += 1
        series.add(ClientColumn.attempts, at: now)
        if requests[request].attemptsSent > 1 {
            totals.retries += 1
            series.add(ClientColumn.retries, at: now)
        }
        // A reused slot keeps its generation (bumped when it was freed); `insert` takes the last free slot.
        let generation = attempts.free.last.map { attempts[$0].generation } ?? 0
        let key = DrawKey.child(requests[request].key, UInt64(requests[request].attemptsSent))
        let attempt = attempts.insert(AttemptState(
            request: request, key: key, generation: generation, abandoned: false, serviceStart: .zero))
        sendMessage(.attemptArrives, a: attempt, b: 0, salt: latencyOutSalt, now: now, queue: &queue)
        if let timeout = policy.timeout {
            queue.schedule(.attemptTimeout, at: now + timeout, a: attempt, b: generation, lane: timeoutLane)
        }
    }

    /// Puts a message about `attempt` on the network: it arrives after one latency draw, keyed by the attempt and
    /// the direction (`salt`).
    mutating func sendMessage(_ kind: EventKind, a attempt: UInt32, b: UInt32, salt: UInt64, now: SimTime, queue: inout EventQueue) {
        var draw = DrawKey.source(attempts[attempt].key, salt)
        let delay = latency.sample(&draw)
        let a = attempt
        if let lane = latencyLane {
            queue.schedule(kind, at: now + delay, a: a, b: b, lane: lane)
        } else {
            queue.schedule(kind, at: now + delay, a: a, b: b)
        }
    }

    mutating func responseArrives(_ attempt: UInt32, outcome: Outcome, now: SimTime, queue: inout EventQueue) {
        let state = attempts[attempt]
        releaseAttempt(attempt)
        if state.abandoned { return }  // the caller has moved on; the timeout already counted it
        let request = state.request
        switch outcome {
        case .success:
            succeed(request, now: now, queue: &queue)
        case .serverError:
            totals.errors += 1
            series.add(ClientColumn.errors, at: now)
            retryOrFail(request, now: now, queue: &queue)
        case .rejected:
            totals.rejected += 1
            series.add(ClientColumn.rejected, at: now)
            retryOrFail(request, now: now, queue: &queue)
        }
    }

    mutating func attemptTimedOut(_ attempt: UInt32, generation: UInt32, now: SimTime, queue: inout EventQueue) {
        // A timeout armed for an attempt that has since been answered (and its slot perhaps reused) is stale.
        // A freed slot's generation has been bumped, so the check also covers slots that are now free.
        guard attempts[attempt].generation == generation, !attempts[attempt].abandoned else { return }
        attempts[attempt].abandoned = true
        totals.timeouts += 1
        series.add(ClientColumn.timeouts, at: now)
        retryOrFail(attempts[attempt].request, now: now, queue: &queue)
    }

    mutating func releaseAttempt(_ attempt: UInt32) {
        attempts[attempt].generation &+= 1
        attempts.remove(attempt)
    }

    mutating func retryOrFail(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        let sent = Int(requests[request].attemptsSent)
        guard sent < policy.maxAttempts else {
            finish(request, succeeded: false, now: now, queue: &queue)
            return
        }
        var state = requests[request]
        let delay = policy.retryDelay(retry: sent, previous: &state.previousSleep, rng: &state.jitterRng)
        requests[request] = state
        queue.schedule(.retryDue, at: now + delay, a: request)
    }

    mutating func succeed(_ request: UInt32, now: SimTime, queue: inout EventQueue) {
        let latency = now - requests[request].start
        latencyHistogram.record(latency.nanoseconds)
        series.add(ClientColumn.latencySum, at: now, Double(latency.nanoseconds))
        finish(request, succeeded: true, now: now, queue: &queue)
    }

    mutating func finish(_ request: UInt32, succeeded: Bool, now: SimTime, queue: inout EventQueue) {
        if succeeded {
            totals.succeeded += 1
            series.add(ClientColumn.successes, at: now)
        } else {
            totals.failed += 1
            series.add(ClientColumn.failures, at: now)
        }
        totals.lastFinish = now
        inFlight.change(by: -1, at: now, in: &series)
        let client = requests[request].client
        requests.remove(request)
        if case .closed(let think) = arrival {
            let wait = think.sample(&clientArrivalRng[Int(client)])
            queue.schedule(.clientArrival, at: now + wait, a: client)
        }
    }

    // MARK: services

    mutating func attemptArrives(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = target
        services[s].arrivals += 1
        series.add(services[s].columns.attempts, at: now)
        if services[s].busy < services[s].config.workers {
            startService(attempt, service: s, now: now, queue: &queue)
        } else if services[s].queue.count < services[s].config.queueCapacity {
            services[s].queue.append(attempt)
            services[s].queueGauge.change(by: 1, at: now, in: &series)
        } else {
            services[s].rejected += 1
            series.add(services[s].columns.rejected, at: now)
            sendMessage(.responseArrives, a: attempt, b: Outcome.rejected.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        }
    }

    mutating func startService(_ attempt: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) {
        services[s].busy += 1
        services[s].busyGauge.change(by: 1, at: now, in: &series)
        attempts[attempt].serviceStart = now
        var draw = DrawKey.source(attempts[attempt].key, services[s].timeSalt)
        let time = services[s].config.serviceTime.sample(&draw)
        queue.schedule(.serviceDone, at: now + time, a: attempt)
    }

    mutating func serviceDone(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = target
        services[s].busy -= 1
        services[s].busyGauge.change(by: -1, at: now, in: &series)
        let worked = (now - attempts[attempt].serviceStart).nanoseconds
        services[s].served += 1
        services[s].busyTime += worked
        series.add(services[s].columns.served, at: now)
        var draw = DrawKey.source(attempts[attempt].key, services[s].outcomeSalt)
        let failed = draw.bernoulli(services[s].config.errorRate)
        if attempts[attempt].abandoned {
            services[s].wasted += 1
            services[s].wastedTime += worked
            series.add(services[s].columns.wasted, at: now)
        }
        let outcome: Outcome = failed ? .serverError : .success
        sendMessage(.responseArrives, a: attempt, b: outcome.rawValue, salt: latencyBackSalt, now: now, queue: &queue)

        let next: UInt32?
        switch services[s].config.discipline {
        case .fifo: next = services[s].queue.popFirst()
        case .lifo: next = services[s].queue.popLast()
        }
        if let next {
            services[s].queueGauge.change(by: -1, at: now, in: &series)
            startService(next, service: s, now: now, queue: &queue)
        }
    }

    /// Closes the time series at the end of the run.
    mutating func finishSeries() {
        inFlight.finish(in: &series)
        for s in services.indices {
            services[s].busyGauge.finish(in: &series)
            services[s].queueGauge.finish(in: &series)
        }
    }
}

