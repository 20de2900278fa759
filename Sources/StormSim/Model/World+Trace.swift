/// Which requests `--trace` follows: at most `requests` of them, started in [`from`, `until`), every `every`-th
/// such request, and with `failedOnly` only those that did not succeed (a request is followed from its start and
/// its steps are dropped if it succeeds). Tracing changes no other output.
public struct TraceSelection: Equatable, Sendable {
    public var requests: Int
    public var from: SimDuration = .zero
    public var until: SimDuration? = nil
    public var every: Int = 1
    public var failedOnly: Bool = false

    public init(requests: Int, from: SimDuration = .zero, until: SimDuration? = nil, every: Int = 1, failedOnly: Bool = false) {
        self.requests = requests
        self.from = from
        self.until = until
        self.every = max(1, every)
        self.failedOnly = failedOnly
    }

    public static let off = TraceSelection(requests: 0)
    public var isOn: Bool { requests > 0 }
}

/// One step in the life of a traced request, at one hop: the clients' request, or a call a service makes for it.
public struct TraceEvent: Equatable, Sendable {
    /// The client request's number (requests are numbered from 0 as they start).
    public var request: Int
    public var client: Int
    /// Who sent the attempt: "clients", or the calling service's name.
    public var caller: String
    /// The service the attempt went to, and its instance (-1 before one is chosen, or with one instance).
    public var service: String
    public var instance: Int
    /// Attempts this hop's request had sent when it happened.
    public var attempt: Int
    public var time: SimTime
    public var event: String
    public var detail: String
    /// The order steps were recorded in (ties in time keep it).
    var sequence: Int = 0
}

/// The trace's state in the world: which client requests are followed, and their steps. A class, so that the
/// world carries one reference however much it holds (the world's hot fields stay together).
final class TraceState {
    let selection: TraceSelection
    /// Client requests that passed the window, counted for sampling.
    var candidates = 0
    /// Per traced request (by trace id): its request number, and, with `failedOnly`, its steps until it ends.
    var numbers: [Int] = []
    var clients: [Int] = []
    var pending: [[TraceEvent]] = []
    /// With `failedOnly`, per traced request: nil while it runs, then whether its steps are kept (later steps of its
    /// calls, still running after it ended, follow the same choice).
    var verdicts: [Bool?] = []
    var kept = 0
    var events: [TraceEvent] = []
    var sequence = 0

    init(_ selection: TraceSelection) { self.selection = selection }

    /// The trace id for a client request starting now (its number `number`), or -1 when it is not traced.
    func select(number: Int, client: Int, now: SimTime) -> Int32 {
        guard now.nanoseconds >= selection.from.nanoseconds else { return -1 }
        if let until = selection.until, now.nanoseconds >= until.nanoseconds { return -1 }
        candidates += 1
        guard (candidates - 1) % selection.every == 0 else { return -1 }
        if selection.failedOnly { guard kept < selection.requests else { return -1 } }
        else { guard numbers.count < selection.requests else { return -1 } }
        guard numbers.count < Int(Int32.max) else { return -1 }
        numbers.append(number)
        clients.append(client)
        if selection.failedOnly {
            pending.append([])
            verdicts.append(nil)
        }
        return Int32(numbers.count - 1)
    }

    func record(_ id: Int32, _ event: TraceEvent) {
        var e = event
        e.request = numbers[Int(id)]
        e.client = clients[Int(id)]
        e.sequence = sequence
        sequence += 1
        guard selection.failedOnly else {
            events.append(e)
            return
        }
        switch verdicts[Int(id)] {
        case nil: pending[Int(id)].append(e)
        case true?: events.append(e)
        case false?: break
        }
    }

    /// A traced client request ended: with `failedOnly`, keep its steps if it failed (up to the limit).
    func ended(_ id: Int32, succeeded: Bool) {
        guard selection.failedOnly, verdicts[Int(id)] == nil else { return }
        let keep = !succeeded && kept < selection.requests
        if keep {
            events += pending[Int(id)]
            kept += 1
        }
        verdicts[Int(id)] = keep
        pending[Int(id)] = []
    }

    /// At the end of the run: requests still open did not succeed; then every step in time order.
    func finish() {
        if selection.failedOnly {
            for id in verdicts.indices where verdicts[id] == nil { ended(Int32(id), succeeded: false) }
        }
        events.sort { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
    }
}

extension World {
    /// Records a step of a traced request: one test of a constant when nothing is traced, one more for a request
    /// that is not.
    @inline(__always)
    mutating func traceRequest(_ request: UInt32, _ now: SimTime, _ event: String, _ detail: @autoclosure () -> String, instance: Int = -1) {
        guard traceOn, requests[request].traceId >= 0 else { return }
        recordStep(request, now, event, detail(), instance: instance)
    }

    @inline(never)
    func recordStep(_ request: UInt32, _ now: SimTime, _ event: String, _ detail: String, instance: Int) {
        let id = requests[request].traceId
        let c = Int(requests[request].caller)
        let target = Int(requests[request].target)
        tracing.record(id, TraceEvent(
            request: 0, client: Int(requests[request].client), caller: c == 0 ? "clients" : services[c - 1].config.name,
            service: services[target].config.name, instance: services[target].instances.count > 1 ? instance : -1,
            attempt: Int(requests[request].attemptsSent), time: now, event: event, detail: detail))
    }

    /// Records a step of a traced attempt at its service (the queue, service, refusals); callers test `traceOn`.
    @inline(never)
    mutating func traceAttempt(_ attempt: UInt32, _ now: SimTime, _ event: String, _ detail: String) {
        let request = attempts[attempt].request
        guard request != AttemptState.none, requests[request].generation == attempts[attempt].requestGeneration,
            requests[request].traceId >= 0
        else { return }
        let s = Int(attempts[attempt].service)
        let instance = Int(attempts[attempt].instance) - services[s].instances.lowerBound
        traceRequest(request, now, event, detail, instance: instance)
    }
}

extension World {
    /// The trace id of the client request an attempt serves, through its chain of calls (-1: not traced).
    func tracedId(of attempt: UInt32) -> Int32 {
        let request = attempts[attempt].request
        guard request != AttemptState.none else { return -1 }
        return requests[request].traceId
    }
}
