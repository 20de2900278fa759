import Foundation

/// Everything a run simulates, and the one place events are routed: `handle` sends each event to the code of its
/// concept. The state is in components: `Arrivals` (when clients send), the callers with their policy state
/// (`Caller`, `ClientPolicyState`), the request and attempt slots (`RequestState`, `AttemptState` in `SlotPool`s),
/// the services (`ServiceState`), and `Statistics` (what the clients experienced, and the time series). The code
/// of each concept is in its own file: `World+Attempts.swift` (the callers' side of a request),
/// `World+Services.swift` (queues, workers, downstream calls, faults), `World+OCC.swift` (optimistic concurrency),
/// and `World+Invariants.swift` (the conservation laws the tests check).
///
/// `F` says whether the fleet features' checks are compiled in (`ModelFeatures`): the runner picks the world a
/// scenario needs.
///
/// State lives in contiguous arrays of value types; an event carries only slot indices. Nothing here allocates
/// per event once the pools have grown to the work in flight.
struct World<F: ModelFeatures>: EventHandler {
    /// The clients' policy (callers[0].policy).
    let policy: RetryPolicy
    /// False when the clients' policy has neither a breaker nor a token bucket, so no policy gauge needs updating.
    let hasPolicyGauges: Bool
    /// The clients (0) and every service that calls downstream (s + 1).
    var callers: RecordArray<Caller>
    /// Per-request deadline of the clients, and whether attempts carry it downstream.
    let deadline: SimDuration?
    let propagateDeadline: Bool
    /// When clients send new requests.
    var arrivals: Arrivals
    let latency: Distribution
    /// The normal draws' table, kept here so that a draw needs no check that it is initialised.
    let normals = Ziggurat.table
    let end: SimTime
    /// FIFO lanes of the event queue, used when a delay is constant (see `EventQueue`).
    let latencyLane: Int?
    let timeoutLane = 1

    var services: RecordArray<ServiceState>
    /// Every instance of every service, service by service (`ServiceState.instances` says which are whose).
    var instances: RecordArray<InstanceState>
    /// The balancers of each (caller, service) pair whose service has several instances: index
    /// `balancerIndex[caller * services.count + service]`, -1 when the service has one instance.
    var balancers = RecordArray<BalancerSet>([])
    var balancerIndex: [Int32] = []
    /// Per instance, its concurrency limiter (nil when its service has no concurrency limit).
    var limiters = RecordArray<ConcurrencyLimiter?>([])
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
    /// Key of the family of health probes: probe n of (balancer set, slot) has key child(child(probeFamily, ...), n).
    let probeFamily: UInt64
    /// Health probes sent so far (their draw keys).
    var probesSent: UInt64 = 0
    /// Key of the family of crash draws (a restart delay's jitter: instance i's n-th crash).
    let crashFamily: UInt64
    /// Per service, its look-aside cache (nil without one).
    var caches = RecordArray<CacheState?>([])
    /// Per service, its autoscaler (nil without one).
    var autoscalers = RecordArray<AutoscalerState?>([])
    /// The message queues (services of kind sqs), their messages and consumers.
    var messageQueues = MessageQueues()

    var requests = SlotPool<RequestState>()
    var attempts = SlotPool<AttemptState>()

    /// What the clients experienced, and the time series every component writes into.
    var stats: Statistics
    /// The requests `--trace` follows and their steps.
    let tracing: TraceState
    let traceOn: Bool

    init(scenario: Scenario, trace: TraceSelection = .off) {
        precondition(F.fleet || !scenario.usesFleetFeatures, "a scenario with fleet features needs World<FleetModel>")
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
        probeFamily = streams.key("health/probe")
        crashFamily = streams.key("instance/crash")
        tracing = TraceState(trace)
        traceOn = trace.isOn
        let names = scenario.services.map(\.name)
        var callers = [Caller(
            policy: policy, clients: scenario.clients.count, hosts: scenario.clients.hosts, targets: [scenario.targetIndex],
            streams: streams, label: "")]
        for s in scenario.services {
            callers.append(Caller(
                policy: s.callPolicy, clients: 1, hosts: 1, targets: s.calls.map { names.firstIndex(of: $0)! },
                streams: streams, label: "service/\(s.name)/"))
        }
        self.callers = RecordArray(callers)
        hasPolicyGauges = callers[0].state.breaker != nil || callers[0].state.tokenBudget != nil

        let attemptColumns = min(scenario.attemptColumnsBasis, ClientColumn.maxAttemptColumns)
        var columns = ClientColumn.count + attemptColumns + scenario.services.count * ServiceColumns.width
        // Per-instance attempt columns follow every service's, for the fleets that have them.
        var nextInstanceColumn = columns
        columns += scenario.services.reduce(0) { $0 + ($1.seriesPerInstance ? $1.instances : 0) }
        let series = TimeSeries(interval: scenario.metricsInterval, end: scenario.duration, columns: columns)
        stats = Statistics(series: series, attemptColumns: attemptColumns)
        var instances: [InstanceState] = []
        services = RecordArray(scenario.services.enumerated().map { i, s in
            let first = instances.count
            let columns = ServiceColumns.forService(i, attemptColumns: attemptColumns)
            for k in 0..<s.instances {
                var instance = InstanceState(s, columns: columns, series: series)
                instance.workersNow = s.workers(ofInstance: k)
                if s.seriesPerInstance {
                    instance.attemptsColumn = nextInstanceColumn
                    nextInstanceColumn += 1
                }
                if let limit = s.concurrencyLimit { instance.limit = ConcurrencyLimiter(limit).limit }
                instances.append(instance)
            }
            return ServiceState(
                config: s, instances: first..<instances.count, streams: streams,
                columns: .forService(i, attemptColumns: attemptColumns), series: series)
        })
        self.instances = RecordArray(instances)
        for s in services.indices where scenario.services[s].concurrencyLimit != nil {
            let total = services[s].instances.reduce(0) { $0 + instances[$1].limit }
            services[s].limitGauge.change(by: Double(total), at: .zero, in: &stats.series)
        }
        let limiterStreams = StreamFamily(streams: streams, label: "instance/limiter")
        var position = 0
        limiters = RecordArray(scenario.services.flatMap { s in
            (0..<s.instances).map { _ -> ConcurrencyLimiter? in
                position += 1
                return s.concurrencyLimit.map { ConcurrencyLimiter($0, rng: limiterStreams.stream(UInt64(position - 1))) }
            }
        })
        // Balancers: for each caller, for each service it calls that has several instances.
        balancerIndex = [Int32](repeating: -1, count: callers.count * services.count)
        var sets: [BalancerSet] = []
        for (c, caller) in callers.enumerated() {
            for target in Set(caller.targets).sorted() where services[target].instances.count > 1 {
                let config = scenario.services[target]
                let label = c == 0 ? "clients/\(config.name)/" : "\(scenario.services[c - 1].name)/\(config.name)/"
                balancerIndex[c * services.count + target] = Int32(sets.count)
                sets.append(BalancerSet(
                    config.balancer, outliers: config.outlierDetection, healthCheck: config.healthCheck, weights: config.weights,
                    autoscaled: config.autoscale != nil, service: target, instances: services[target].instances,
                    callerClients: c == 0 ? scenario.clients.count : 1, callerHosts: c == 0 ? scenario.clients.hosts : 1,
                    streams: streams, label: label))
            }
        }
        balancers = RecordArray(sets)
        for set in sets where set.watches { services[set.service].watchingBalancers += set.units }
        caches = RecordArray(scenario.services.map { s in s.cache.map { CacheState($0, salt: streams.key("cache/\(s.name)")) } })
        for set in sets where set.listens { services[set.service].balancersListen = true }
        autoscalers = RecordArray(scenario.services.enumerated().map { i, s in
            s.autoscale.map { AutoscalerState($0, column: services[i].columns.instances, series: &stats.series) }
        })
        for s in services.indices where autoscalers[s] != nil { setServing(service: s, count: autoscalers[s]!.ready, now: .zero) }
        messageQueues.queues = scenario.services.enumerated().map { i, s in
            s.messageQueue.map { config in
                var q = MessageQueues.Queue(
                    config: config, depthGauge: Gauge(series: stats.series, areaColumn: services[i].columns.queueLength),
                    oldestGauge: Gauge(series: stats.series, areaColumn: nil, endColumn: services[i].columns.oldestSent))
                q.oldestGauge.set(-1, at: .zero, in: &stats.series)
                return q
            }
        }
        for (i, s) in scenario.services.enumerated() {
            for _ in 0..<(s.messageQueue?.consumers ?? 0) { messageQueues.consumers.append(MessageQueues.Consumer(queue: Int32(i))) }
        }
        // A burst puts every client's request and attempt in flight at once; a closed loop keeps one per client.
        requests.reserve(scenario.clients.count)
        attempts.reserve(scenario.clients.count)
    }

    /// Schedules the first events: each client's first request, and every fault window's edges.
    mutating func start(queue: inout EventQueue) {
        for (s, service) in services.enumerated() {
            for (f, fault) in service.config.faults.enumerated() {
                queue.schedule(.faultChanges, at: .zero + fault.from, a: UInt32(s), b: UInt32(f))
                queue.schedule(.faultChanges, at: .zero + fault.to, a: UInt32(s), b: UInt32(f) | ConditionChange.closes)
            }
        }
        for (b, set) in balancers.enumerated() {
            if let d = set.detector { queue.schedule(.outlierSweep, at: .zero + d.config.interval, a: UInt32(b)) }
            if let h = set.health {
                // Each balancer's first probe of each instance at a time of its own within the first interval.
                for slot in 0..<(set.units * set.count) {
                    var draw = DrawKey.source(DrawKey.child(probeFamily, UInt64(b) << 32 | UInt64(slot)), 0)
                    let offset = SimDuration(saturating: draw.nextUnit() * Double(h.config.interval.nanoseconds))
                    queue.schedule(.healthProbe, at: .zero + offset, a: UInt32(b), b: UInt32(slot))
                }
            }
        }
        for (s, a) in autoscalers.enumerated() where a != nil {
            queue.schedule(.faultChanges, at: .zero + a!.config.sync, a: UInt32(s), b: ConditionChange.autoscaleSync)
        }
        startConsumers(queue: &queue)
        arrivals.start(queue: &queue)
        if requests.capacity >= Self.slotsBeyondCache { queue.warmLanes(from: 2 * EventChunks.size) }
    }

    /// From this many clients, the request and attempt slots reserved for them (128 bytes a client, 16 MB) are more
    /// than the caches keep, so even the events of a short lane (the network's, after a burst's first attempts) read
    /// cold slots, and the queue touches them ahead. Below it, touching a short lane is all cost (1% of
    /// `bench-overload`, 2% of the bundled burst, in instructions).
    static var slotsBeyondCache: Int { 1 << 17 }

    /// The slot an event's handler reads first (`EventHandler.touch`): a retry's request, an attempt's slot.
    @inline(__always)
    func touch(_ event: Event) -> UInt64 {
        switch EventKind(rawValue: event.code) {  // checked: touching must never trust what it reads
        case .retryDue, .attemptReady: return UInt64(requests.peekGeneration(event.a))
        case .attemptArrives, .attemptTimeout: return UInt64(attempts.peekGeneration(event.a))
        case .responseArrives:  // the attempt (read a moment ago, in the cache), then its request
            return UInt64(requests.peekGeneration(attempts.peekRequest(event.a)))
        default: return 0
        }
    }

    @inline(__always)
    mutating func handle(_ event: Event, queue: inout EventQueue) {
        let now = event.time
        switch event.kind {
        case .clientArrival: clientArrival(event.a, now: now, queue: &queue)
        case .attemptArrives: attemptArrives(event.a, now: now, queue: &queue)
        case .callReady: callReady(event.a, now: now, queue: &queue)
        case .serviceDone: serviceDone(event.a, generation: event.b, now: now, queue: &queue)
        case .responseArrives: responseArrives(event.a, outcome: Outcome(rawValue: event.b)!, now: now, queue: &queue)
        case .attemptTimeout: attemptTimedOut(event.a, generation: event.b, now: now, queue: &queue)
        case .retryDue: sendAttempt(event.a, now: now, queue: &queue)
        case .attemptReady: transmitAttempt(event.a, now: now, queue: &queue)
        case .versionRead: versionRead(event.a, now: now, queue: &queue)
        case .writeArrives: writeArrives(event.a, now: now, queue: &queue)
        case .outlierSweep: outlierSweep(Int(event.a), now: now, queue: &queue)
        case .hedgeDue: hedgeDue(event.a, generation: event.b, now: now, queue: &queue)
        case .healthProbe: healthProbe(set: Int(event.a), slot: Int(event.b), now: now, queue: &queue)
        case .queueTimer: visibilityExpired(event.a, receipt: event.b, now: now, queue: &queue)
        case .faultChanges:
            if event.b == ConditionChange.ready {
                instanceStarted(Int(event.a), now: now)
            } else if event.b & ConditionChange.instance != 0 {
                instanceLifecycle(Int(event.a), restart: event.b == ConditionChange.restart, now: now, queue: &queue)
            } else if event.b == ConditionChange.autoscaleSync {
                autoscaleSync(service: Int(event.a), now: now, queue: &queue)
            } else {
                faultChanges(service: Int(event.a), fault: Int(event.b & ~ConditionChange.closes), opens: event.b & ConditionChange.closes == 0, now: now, queue: &queue)
            }
        }
    }

    // MARK: clients: new requests

    mutating func clientArrival(_ a: UInt32, now: SimTime, queue: inout EventQueue) {
        guard let (client, number) = arrivals.next(a, now: now, queue: &queue) else { return }
        let traceId: Int32 = traceOn ? tracing.select(number: stats.totals.requests, client: Int(client), now: now) : -1
        let request = requests.insert(RequestState(
            deadline: deadline.map { now + $0 } ?? .never,
            key: DrawKey.child(DrawKey.child(requestFamily, UInt64(client)), UInt64(number)),
            start: now, previousSleep: Double(policy.backoff.base.nanoseconds), parent: RequestState.none,
            client: client, traceId: traceId, attemptsSent: 0, caller: 0, target: UInt16(callers[0].targets[0])))
        stats.requestStarted(caller: 0, now: now)
        if !callers[0].plain { callers[0].state.requestStarted(client: client, now: now) }
        sendAttempt(request, now: now, queue: &queue)
    }

    // MARK: statistics

    /// Closes the time series at the end of the run.
    mutating func finishSeries() {
        if traceOn { tracing.finish() }
        for b in balancers.indices { balancers[b].detector?.finish(now: end) }
        stats.finish()
        for s in services.indices {
            services[s].outGauge.finish(in: &stats.series)
            services[s].limitGauge.finish(in: &stats.series)
            services[s].downGauge.finish(in: &stats.series)
            autoscalers[s]?.servingGauge.finish(in: &stats.series)
            autoscalers[s]?.account(now: end)
            messageQueues.queues[s]?.depthGauge.finish(in: &stats.series)
            messageQueues.queues[s]?.oldestGauge.finish(in: &stats.series)
        }
        for i in instances.indices where instances[i].crashed { instances[i].downTime += (end - instances[i].crashedAt).nanoseconds }
        for i in instances.indices {
            instances[i].busyGauge.finish(in: &stats.series)
            instances[i].queueGauge.finish(in: &stats.series)
        }
    }

    /// Worker time a service spent, over its instances, in ns.
    func busyTime(service s: Int) -> Int64 {
        services[s].instances.reduce(0) { $0 + instances[$1].busyTime }
    }

    /// What happened to the attempts sent to service `s`: the sums over its instances.
    func counts(service s: Int) -> InstanceState.AttemptCounts {
        services[s].instances.reduce(InstanceState.AttemptCounts()) { $0 + instances[$1].counts }
    }
}


