/// Decoding of `services`: each service, its calls (checked for cycles), its faults and its rate limit.
extension ScenarioDecoder {
    static func decodeServices(_ top: ObjectReader) -> [Service]? {
        let path = top.path.appending("services")
        guard let json = top.required("services", expected: "an array of services") else { return nil }
        guard case .array(let items) = json, !items.isEmpty else {
            top.context.fail(path, "expected a non-empty array of services, found \(json.kindDescription)")
            return nil
        }
        var services: [Service] = []
        var failed = false
        for (i, item) in items.enumerated() {
            if let service = decodeService(item, at: path.appending(i), context: top.context) {
                if services.contains(where: { $0.name == service.name }) {
                    top.context.fail(path.appending(i).appending("name"), "\(JSONValue.quote(service.name)) is used by an earlier service; names must be unique")
                    failed = true
                }
                services.append(service)
            } else {
                failed = true
            }
        }
        if failed {
            // Still name the calls to no service, so that every problem is reported at once: against the names the
            // file gives, decoded or not.
            let names = items.compactMap { item -> String? in if case .string(let n)? = item["name"] { return n } else { return nil } }
            checkCallNames(services, names: names, at: path, context: top.context)
            return nil
        }
        return checkCalls(services, at: path, context: top.context) ? services : nil
    }

    static func decodeService(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Service? {
        var kind = Service.Kind.queue
        if case .object = json, let k = json["kind"] {
            guard case .string(let text) = k, let parsed = Service.Kind(rawValue: text) else {
                context.fail(path.appending("kind"), "expected one of \"queue\", \"occ\", \"proxy\", \"sqs\", found \(k.kindDescription)")
                return nil
            }
            kind = parsed
        }
        let allowed = kind == .occ ? ScenarioKeys.occService : kind == .proxy ? ScenarioKeys.proxyService
            : kind == .sqs ? ScenarioKeys.sqsService : ScenarioKeys.service
        guard let reader = ObjectReader(json, at: path, allowed: allowed, context: context) else { return nil }
        var name = reader.string("name")
        if let n = name, let problem = FileSafeName.problem(n, allowDots: false) {
            context.fail(path.appending("name"), "\(JSONValue.quote(n)) \(problem); service names become CSV column prefixes")
            name = nil
        }
        if kind == .occ {
            guard let name else { return nil }
            return Service(name: name, kind: .occ, workers: 1, queueCapacity: 0, serviceTime: .constant(value: .zero))
        }
        let calls = decodeCalls(reader, required: kind == .proxy)
        var callPolicy: RetryPolicy? = .noRetries
        if let p = reader.value("policy") { callPolicy = decodePolicy(p, at: path.appending("policy"), context: context) }
        if kind == .sqs {
            guard let name, let calls, let callPolicy else { return nil }
            return decodeMessageQueue(reader, name: name, calls: calls, policy: callPolicy)
        }
        if kind == .proxy {
            guard let name, let calls, let callPolicy else { return nil }
            var proxy = Service(name: name, kind: .proxy, workers: ScenarioLimits.maxWorkers, queueCapacity: 0,
                                serviceTime: .constant(value: .zero))
            proxy.calls = calls
            proxy.callPolicy = callPolicy
            proxy.async = true
            return proxy
        }
        let workers = reader.integer("workers", in: 1...ScenarioLimits.maxWorkers)
        var capacity: Int? = 1000
        var discipline: String? = "fifo"
        var queueTimeout: SimDuration?? = .some(nil)
        var codel: (SimDuration, SimDuration)?? = .some(nil)
        var adaptiveAfter: SimDuration? = .milliseconds(100)
        var dropExpired: Bool? = true
        if let q = reader.value("queue"),
            let queue = ObjectReader(q, at: path.appending("queue"), allowed: ScenarioKeys.queue, context: context)
        {
            capacity = queue.integer("capacity", in: 0...ScenarioLimits.maxQueueCapacity, default: 1000)
            discipline = queue.choice("discipline", among: Service.Discipline.allCases.map(\.rawValue), default: "fifo")
            if queue.has("timeout") { queueTimeout = queue.duration("timeout", positive: true).map { .some($0) } }
            adaptiveAfter = queue.duration("adaptiveAfter", default: .milliseconds(100))
            dropExpired = queue.bool("dropExpired", default: true)
            if let c = queue.value("codel"),
                let r = ObjectReader(c, at: path.appending("queue").appending("codel"), allowed: ScenarioKeys.codel, context: context)
            {
                let target = r.duration("target", default: .milliseconds(5), positive: true)
                let interval = r.duration("interval", default: .milliseconds(100), positive: true)
                codel = (target != nil && interval != nil) ? .some((target!, interval!)) : nil
            }
        }
        if !reader.has("queue") {
            reader.noteDefault("queue.capacity", "1000")
            reader.noteDefault("queue.discipline", "\"fifo\"")
        }
        if reader.has("calls") && !reader.has("policy") {
            reader.noteDefault("policy.timeout", "none")
            reader.noteDefault("policy.maxAttempts", "1")
        }
        let afterCall = decodeDistribution(reader, "afterCall", default: .constant(value: .zero))
        let isAsync = reader.bool("async", default: false)
        let penalty = reader.duration("concurrencyPenalty", default: .zero)
        let serviceTime = decodeDistribution(reader, "serviceTime", default: nil)
        let errorRate = reader.probability("errorRate", default: 0)
        let nonRetryable = reader.probability("nonRetryableRate", default: 0)
        if let errorRate, let nonRetryable, errorRate + nonRetryable > 1 {
            context.fail(path.appending("nonRetryableRate"), "errorRate + nonRetryableRate is \(NumberFormat.shortest(errorRate + nonRetryable)); expected at most 1")
            return nil
        }
        var rateLimit: ServiceRateLimit?? = .some(nil)
        if let r = reader.value("rateLimit") { rateLimit = decodeServiceRateLimit(r, at: path.appending("rateLimit"), context: context).map { .some($0) } }
        let instances = reader.integer("instances", in: 1...ScenarioLimits.maxInstances, default: 1)
        var balancer: Balancer? = Balancer()
        if let b = reader.value("balancer") { balancer = decodeBalancer(b, at: path.appending("balancer"), context: context) }
        var weights: [Double]?? = .some(nil)
        if let w = reader.value("weights"), let instances {
            let wpath = path.appending("weights")
            if case .array(let items) = w, items.count == instances {
                var values: [Double] = []
                for (k, item) in items.enumerated() {
                    guard case .number(let x) = item, x > 0, x <= 1e6 else {
                        context.fail(wpath.appending(k), "expected a weight above 0 and at most 1e6, found \(item.kindDescription)")
                        weights = nil
                        break
                    }
                    values.append(x)
                }
                if weights != nil { weights = .some(values) }
            } else {
                context.fail(wpath, "expected an array of \(instances) weights (one per instance), found \(w.kindDescription)")
                weights = nil
            }
        }
        var instanceWorkers: [Int]?? = .some(nil)
        if let w = reader.value("instanceWorkers"), let instances {
            let wpath = path.appending("instanceWorkers")
            if case .array(let items) = w, items.count == instances {
                var values: [Int] = []
                for (k, item) in items.enumerated() {
                    guard case .number(let x) = item, x == x.rounded(), x >= 1, x <= Double(ScenarioLimits.maxWorkers) else {
                        context.fail(wpath.appending(k), "expected a whole number of workers from 1 to \(ScenarioLimits.maxWorkers), found \(item.kindDescription)")
                        instanceWorkers = nil
                        break
                    }
                    values.append(Int(x))
                }
                if instanceWorkers != nil { instanceWorkers = .some(values) }
            } else {
                context.fail(wpath, "expected an array of \(instances) worker counts (one per instance), found \(w.kindDescription)")
                instanceWorkers = nil
            }
        }
        var health: HealthCheck?? = .some(nil)
        if let h = reader.value("healthCheck") {
            health = decodeHealthCheck(h, at: path.appending("healthCheck"), context: context).map { .some($0) }
        }
        var limit: ConcurrencyLimit?? = .some(nil)
        if let l = reader.value("concurrencyLimit") {
            limit = decodeConcurrencyLimit(l, at: path.appending("concurrencyLimit"), context: context).map { .some($0) }
        }
        var outliers: OutlierDetection?? = .some(nil)
        if let o = reader.value("outlierDetection") {
            outliers = decodeOutlierDetection(o, at: path.appending("outlierDetection"), context: context).map { .some($0) }
        }
        var crash: Crash?? = .some(nil)
        if let c = reader.value("crash") {
            crash = decodeCrash(c, at: path.appending("crash"), context: context).map { .some($0) }
            if let calls, !calls.isEmpty {
                context.fail(path.appending("crash"), "a service that calls others cannot crash in this version (its lost attempts' downstream calls would outlive them); give the crash to a service that calls none, such as the database its callers overload")
                crash = nil
            }
        }
        var cache: CacheConfig?? = .some(nil)
        if let c = reader.value("cache") {
            cache = decodeCache(c, at: path.appending("cache"), context: context).map { .some($0) }
            if let calls, calls.isEmpty {
                context.fail(path.appending("cache"), "a cache needs a backend to fill it from: give the service calls (the database it caches)")
                cache = nil
            }
        }
        var autoscale: Autoscale?? = .some(nil)
        if let a = reader.value("autoscale"), let instances {
            autoscale = decodeAutoscale(a, at: path.appending("autoscale"), initial: instances, context: context).map { .some($0) }
        }
        var faults: [Fault]? = []
        if let f = reader.value("faults"), let instances, let autoscale {
            // An autoscaled fleet's instances are numbered up to its max.
            faults = decodeFaults(f, at: path.appending("faults"), instances: autoscale?.max ?? instances, context: context)
        }
        guard let name, let workers, let capacity, let discipline, let serviceTime, let errorRate, let nonRetryable, let rateLimit,
            let faults, let calls, let callPolicy, let queueTimeout, let codel, let adaptiveAfter, let dropExpired, let afterCall,
            let isAsync, let penalty, let instances, let balancer, let outliers, let limit, let health, let weights,
            let instanceWorkers, let crash, let cache, let autoscale
        else { return nil }
        var service = Service(
            name: name, workers: workers, queueCapacity: capacity, discipline: Service.Discipline(rawValue: discipline)!,
            serviceTime: serviceTime, errorRate: errorRate, nonRetryableRate: nonRetryable, rateLimit: rateLimit)
        service.faults = faults
        service.calls = calls
        service.callPolicy = callPolicy
        service.afterCall = afterCall
        service.async = isAsync
        service.concurrencyPenalty = penalty
        service.queueTimeout = queueTimeout
        service.codel = codel.map { (target: $0.0, interval: $0.1) }
        service.adaptiveAfter = adaptiveAfter
        service.dropExpired = dropExpired
        service.instances = instances
        service.balancer = balancer
        service.outlierDetection = outliers
        service.concurrencyLimit = limit
        service.healthCheck = health
        service.weights = weights
        service.instanceWorkers = instanceWorkers
        service.crash = crash
        service.cache = cache
        if let autoscale {
            service.instances = autoscale.max
            service.autoscale = autoscale
            let conflicts = autoscaleConflicts(service)
            for (key, reason) in conflicts {
                context.fail(path.appending(key), "not with autoscale in this version (\(reason))")
            }
            if !conflicts.isEmpty { return nil }
        }
        if !calls.isEmpty, let f = faults.firstIndex(where: { $0.effect == .crash }) {
            context.fail(path.appending("faults").appending(f).appending("type"), "a service that calls others cannot crash in this version (its lost attempts' downstream calls would outlive them); give the crash to a service that calls none")
            return nil
        }
        if cache == nil, let f = faults.firstIndex(where: { $0.effect == .cacheFlush }) {
            context.fail(path.appending("faults").appending(f), "a cacheFlush fault needs a service with a cache")
            return nil
        }
        return service
    }






    /// `calls`: a service name or an array of them.
    static func decodeCalls(_ reader: ObjectReader, required: Bool) -> [String]? {
        let path = reader.path.appending("calls")
        guard let value = reader.value("calls") else {
            if required { reader.context.fail(path, "missing; expected the name of the service a proxy forwards to") ; return nil }
            return []
        }
        switch value {
        case .string(let s): return [s]
        case .array(let items) where !items.isEmpty:
            var names: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    reader.context.fail(path.appending(i), "expected a service name, found \(item.kindDescription)")
                    return nil
                }
                names.append(s)
            }
            return names
        default:
            reader.context.fail(path, "expected a service name or a non-empty array of them, found \(value.kindDescription)")
            return nil
        }
    }

    /// Every call names a service, and no chain comes back to where it started.
    /// Reports each call to a service that `names` does not hold, with the closest name; false if there is one.
    @discardableResult
    static func checkCallNames(_ services: [Service], names: [String], at path: JSONPath, context: DecodeContext) -> Bool {
        var ok = true
        for s in services {
            // A service's position in the file (the services that failed to decode are not in `services`).
            guard let i = names.firstIndex(of: s.name) else { continue }
            for (j, call) in s.calls.enumerated() where !names.contains(call) {
                var message = "\(JSONValue.quote(call)) names no service"
                if let guess = Suggest.closest(to: call, among: names) { message += "; did you mean \"\(guess)\"?" }
                context.fail(path.appending(i).appending("calls").appending(j), message)
                ok = false
            }
        }
        return ok
    }

    static func checkCalls(_ services: [Service], at path: JSONPath, context: DecodeContext) -> Bool {
        let names = services.map(\.name)
        guard checkCallNames(services, names: names, at: path, context: context) else { return false }
        // Depth-first search for a cycle.
        var state = [Int](repeating: 0, count: services.count)  // 0 new, 1 on the path, 2 done
        func visit(_ i: Int, _ trail: [String]) -> [String]? {
            if state[i] == 1 { return trail + [services[i].name] }
            if state[i] == 2 { return nil }
            state[i] = 1
            for call in services[i].calls {
                if let cycle = visit(names.firstIndex(of: call)!, trail + [services[i].name]) { return cycle }
            }
            state[i] = 2
            return nil
        }
        for i in services.indices {
            if let cycle = visit(i, []) {
                context.fail(path.appending(i).appending("calls"), "the calls form a cycle (\(cycle.joined(separator: " -> "))); a request would never finish")
                return false
            }
        }
        return true
    }

    /// A time window `from` ... `to` (to after from), shared by faults and load changes.
    static func window(_ r: ObjectReader, at here: JSONPath) -> (SimDuration, SimDuration)? {
        guard let from = r.duration("from"), let to = r.duration("to") else { return nil }
        guard to > from else {
            r.context.fail(here.appending("to"), "\(DurationText.format(to)) is not after from (\(DurationText.format(from)))")
            return nil
        }
        return (from, to)
    }

    static func decodeFaults(_ json: JSONValue, at path: JSONPath, instances: Int, context: DecodeContext) -> [Fault]? {
        guard case .array(let items) = json else {
            context.fail(path, "expected an array of faults, found \(json.kindDescription)")
            return nil
        }
        var faults: [Fault] = []
        var failed = false
        for (i, item) in items.enumerated() {
            let here = path.appending(i)
            guard let type = typeField(item, at: here, key: "type", among: ScenarioKeys.faultTypes, context: context),
                let r = ObjectReader(item, at: here, allowed: ScenarioKeys.fault[type]!, context: context),
                let (from, to) = window(r, at: here)
            else { failed = true; continue }
            let effect: Fault.Effect?
            switch type {
            case "outage":
                effect = r.choice("answer", among: ["error", "never"], default: "error").map { .outage(answered: $0 == "error") }
            case "capacity":
                effect = r.integer("workers", in: 0...ScenarioLimits.maxWorkers).map { .capacity(workers: $0) }
            case "slowdown":
                effect = r.number("factor", in: 0...1e6, expected: "a factor from 0 to 1e6").map { .slowdown(factor: $0) }
            case "cacheFlush":
                effect = .cacheFlush
            case "crash":
                effect = .crash
            default:
                effect = r.number("errorRate", in: 0...1, expected: "a probability from 0 to 1").map { .errorRate($0) }
            }
            guard let effect, let targets = faultTargets(r, at: here, instances: instances) else { failed = true; continue }
            faults.append(Fault(from: from, to: to, effect: effect, instances: targets))
        }
        return failed ? nil : faults
    }

    /// A fault's `instances` (a list of indices) or `fraction` (the first round(fraction x instances), at least
    /// one); neither: every instance (nil).
    static func faultTargets(_ r: ObjectReader, at here: JSONPath, instances: Int) -> [Int]?? {
        if r.has("instances") && r.has("fraction") {
            r.context.fail(here.appending("fraction"), "give either instances or fraction, not both")
            return nil
        }
        if r.has("fraction") {
            guard let f = r.number("fraction", in: 0...1, expected: "a fraction of the instances from 0 to 1") else { return nil }
            let count = max(1, Int((f * Double(instances)).rounded()))
            return .some(Array(0..<min(count, instances)))
        }
        guard let list = r.value("instances") else { return .some(nil) }
        let path = here.appending("instances")
        guard case .array(let items) = list, !items.isEmpty else {
            r.context.fail(path, "expected a non-empty array of instance indices, found \(list.kindDescription)")
            return nil
        }
        var indices: [Int] = []
        for (k, item) in items.enumerated() {
            guard case .number(let x) = item, x == x.rounded(), x >= 0, x < Double(instances) else {
                r.context.fail(path.appending(k), "expected an instance index from 0 to \(instances - 1) (the service has \(instances) instance\(instances == 1 ? "" : "s")), found \(item.kindDescription)")
                return nil
            }
            if !indices.contains(Int(x)) { indices.append(Int(x)) }
        }
        return .some(indices.sorted())
    }

    static func decodeServiceRateLimit(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> ServiceRateLimit? {
        guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.serviceRateLimit, context: context) else { return nil }
        let rate = reader.number("rate", in: 1e-6...1e12, expected: "attempts per second, a number from 1e-6 to 1e12")
        let burst = reader.number("burst", in: 1...1e12, default: rate.map { max(1, $0) } ?? 1, expected: "a number from 1 to 1e12")
        var retryAfter: SimDuration?? = .some(.seconds(1))
        if let v = reader.value("retryAfter") {
            retryAfter = v == .string("auto") ? .some(nil) : reader.duration("retryAfter").map { .some($0) }
        }
        guard let rate, let burst, let retryAfter else { return nil }
        return ServiceRateLimit(rate: rate, burst: burst, retryAfter: retryAfter)
    }
}
