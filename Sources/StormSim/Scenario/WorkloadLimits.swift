/// How much work a scenario makes: expected requests and a closed loop's fastest cycle (the decoder's limits and
/// `ResourceEstimate` use the same numbers).
enum WorkloadLimits {
    /// New requests expected from `clients` over `duration` (the decoder's workload limits use the same numbers):
    /// every client of a burst once; Poisson clients at their rate times the integral of the load changes; closed
    /// loops once per fastest cycle.
    static func expectedRequests(_ clients: Clients, duration: SimDuration, services: [Service], latency: Distribution) -> Double {
        let count = Double(clients.count)
        switch clients.arrival {
        case .burst:
            return count
        case .poisson(let rate, let until, _):
            return count * rate * LoadChange.loadSeconds(clients.load, over: min(duration, until))
        case .closed(_, let until):
            guard let cycle = closedLoopCycle(clients, services: services, latency: latency) else { return 0 }
            return cycle > 0 ? count * Double(min(duration, until).nanoseconds) / cycle : .infinity
        case .trace(let trace):
            return trace.expectedRequests(before: duration)
        }
    }

    /// A closed-loop client's fastest cycle in ns: its mean think time, then the service time and the network both
    /// ways, or the timeout if that is shorter. Nil when the target is unknown or the arrivals are not a closed loop.
    static func closedLoopCycle(_ clients: Clients, services: [Service], latency: Distribution) -> Double? {
        guard case .closed(let think, _) = clients.arrival, let target = services.first(where: { $0.name == clients.target })
        else { return nil }
        var roundTrip = target.serviceTime.mean + 2 * latency.mean
        if let timeout = clients.policy.timeout { roundTrip = min(roundTrip, Double(timeout.nanoseconds)) }
        return think.mean + roundTrip
    }
}

/// The workload limits a scenario must respect to be valid: expected requests, worst-case attempts and thinning
/// candidates, and closed loops that could not advance simulated time.
extension ScenarioDecoder {
    static func checkWorkload(
        duration: SimDuration, clients: Clients, services: [Service], latency: Distribution, context: DecodeContext
    ) {
        let arrivalPath = JSONPath.root.appending("clients").appending("arrival")
        let limit = "the limit is 1e9 per run (about 10 minutes of simulation)"
        switch clients.arrival {
        case .poisson(let rate, let until, _):
            let span = min(duration, until)
            let base = Double(clients.count) * rate
            let expected = WorkloadLimits.expectedRequests(clients, duration: duration, services: services, latency: latency)
            let loadNote = clients.load.isEmpty ? "" : " with the load changes"
            if expected > ScenarioLimits.maxExpectedRequests {
                context.fail(arrivalPath.appending("rate"),
                    "\(clients.count) clients at \(NumberFormat.shortest(rate))/s for \(DurationText.format(span))\(loadNote) make about \(NumberFormat.scientific(expected)) requests; \(limit); shorten the duration or lower the rate\(clients.load.isEmpty ? "" : " or the load multipliers")")
            } else {
                checkAttempts(expected, clients: clients, context: context)
            }
            let peak = clients.load.reduce(1.0) { $0 * max(1, $1.peak) }
            let candidates = base * peak * span.seconds
            if !clients.load.isEmpty && candidates > ScenarioLimits.maxThinningCandidates {
                context.fail(JSONPath.root.appending("clients").appending("load"),
                    "a peak load of x\(NumberFormat.shortest(peak)) makes the simulator draw about \(NumberFormat.scientific(candidates)) candidate arrivals (at the peak rate for the whole \(DurationText.format(span)), keeping a share that follows the load); the limit is \(NumberFormat.scientific(ScenarioLimits.maxThinningCandidates)); lower the multipliers, the clients' rate, or the duration")
            }
        case .closed:
            guard let cycle = WorkloadLimits.closedLoopCycle(clients, services: services, latency: latency) else { return }
            if cycle <= 0 {
                context.fail(arrivalPath.appending("think"),
                    "with zero think time, service time and network latency a closed-loop client sends requests forever without simulated time advancing; give think, serviceTime or network.latency a non-zero mean")
                return
            }
            let expected = WorkloadLimits.expectedRequests(clients, duration: duration, services: services, latency: latency)
            if expected > ScenarioLimits.maxExpectedRequests {
                context.fail(arrivalPath.appending("think"),
                    "\(clients.count) closed-loop clients cycling every \(NumberFormat.scientific(cycle / 1e9)) s for \(DurationText.format(duration)) make up to \(NumberFormat.scientific(expected)) requests; \(limit); shorten the duration or add think time")
            } else {
                checkAttempts(expected, clients: clients, context: context)
            }
        case .burst:
            checkAttempts(Double(clients.count), clients: clients, context: context)
        case .trace(let trace):
            let expected = trace.expectedRequests(before: duration)
            if expected > ScenarioLimits.maxExpectedRequests {
                context.fail(arrivalPath.appending("file"),
                    "the trace \(trace.file) makes about \(NumberFormat.scientific(expected)) requests in \(DurationText.format(duration)); \(limit); shorten the duration or lower the multiplier")
            } else {
                checkAttempts(expected, clients: clients, context: context)
            }
        }
    }

    /// Refuses a run whose attempts, if every attempt failed and was retried, would take hours.
    static func checkAttempts(_ requests: Double, clients: Clients, context: DecodeContext) {
        let attempts = requests * Double(clients.policy.maxAttempts)
        if attempts > ScenarioLimits.maxWorstCaseAttempts {
            context.fail(JSONPath.root.appending("clients").appending("policy").appending("maxAttempts"),
                "about \(NumberFormat.scientific(requests)) requests with up to \(clients.policy.maxAttempts) attempts each make up to \(NumberFormat.scientific(attempts)) attempts when every attempt fails; the limit is \(NumberFormat.scientific(ScenarioLimits.maxWorstCaseAttempts)) (about an hour); lower maxAttempts, the number of requests, or the duration")
        }
    }

    /// The root seed: a JSON integer up to 2^53 (larger ones cannot be written exactly as JSON numbers, which are
    /// doubles to most readers), or a string of digits for the whole 64-bit range.
}
