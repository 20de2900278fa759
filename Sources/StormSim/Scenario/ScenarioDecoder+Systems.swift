/// Decoding of the components of systems that change under the storm: autoscaling, look-aside caches and message
/// queues.
extension ScenarioDecoder {
    /// `cache`: a look-aside cache of `keys` Zipf-popular keys, `capacity` of them kept (LRU) for `ttl`.
    static func decodeCache(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> CacheConfig? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.cache, context: context) else { return nil }
        let keys = r.integer("keys", in: 1...10_000_000, why: "the cache keeps a few bytes per key")
        let capacity = r.integer("capacity", in: 1...10_000_000)
        let zipf = r.number("zipf", in: 0...10, default: 1, expected: "a Zipf exponent from 0 (uniform) to 10")
        let ttl = r.duration("ttl", default: .max, positive: true)
        let hitTime = r.duration("hitTime", default: .milliseconds(1))
        let coalesce = r.bool("coalesce", default: false)
        let softTtl: SimDuration?? = r.has("softTtl") ? r.duration("softTtl", positive: true).map { .some($0) } : .some(nil)
        guard let keys, let capacity, let zipf, let ttl, let hitTime, let coalesce, let softTtl else { return nil }
        if let soft = softTtl, soft >= ttl {
            context.fail(path.appending("softTtl"), "\(DurationText.format(soft)) is not below ttl (\(ttl == .max ? "none: entries never expire" : DurationText.format(ttl))); expected a soft TTL shorter than the TTL")
            return nil
        }
        var cache = CacheConfig(keys: keys, capacity: capacity)
        cache.zipf = zipf
        cache.ttl = ttl
        cache.hitTime = hitTime
        cache.coalesce = coalesce
        cache.softTtl = softTtl
        return cache
    }
}

extension ScenarioDecoder {
    /// `autoscale`: Kubernetes' HPA on a utilization target, for a fleet of `initial` instances at the start.
    static func decodeAutoscale(_ json: JSONValue, at path: JSONPath, initial: Int, context: DecodeContext) -> Autoscale? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.autoscale, context: context) else { return nil }
        let min = r.integer("min", in: 1...ScenarioLimits.maxInstances, default: 1)
        let max = r.integer("max", in: 1...ScenarioLimits.maxInstances)
        let target = r.number("target", in: 0.01...1, expected: "a target utilization from 0.01 to 1 (busy workers / workers)")
        let sync = r.duration("sync", default: .seconds(15), positive: true)
        let tolerance = r.number("tolerance", in: 0...1, default: 0.1, expected: "a tolerance from 0 to 1 (0.1: within 10% of the target, hold)")
        let startup = r.duration("startup", default: .seconds(30))
        let stabilization = r.duration("scaleDownStabilization", default: .seconds(300))
        let percent = r.number("scaleUpPercent", in: 0...10_000, default: 100, expected: "a share of the current instances from 0 to 10000 (%)")
        let pods = r.integer("scaleUpPods", in: 0...ScenarioLimits.maxInstances, default: 4)
        guard let min, let max, let target, let sync, let tolerance, let startup, let stabilization, let percent, let pods else { return nil }
        guard min <= max else {
            context.fail(path.appending("min"), "\(min) is above max (\(max)); expected min <= max")
            return nil
        }
        guard (min...max).contains(initial) else {
            context.fail(path.appending("max"), "the service starts with \(initial) instance\(initial == 1 ? "" : "s") (its instances), outside min...max (\(min)...\(max)); expected instances from min to max")
            return nil
        }
        var a = Autoscale(initial: initial, min: min, max: max, target: target)
        a.sync = sync
        a.tolerance = tolerance
        a.startup = startup
        a.scaleDownStabilization = stabilization
        a.scaleUpPercent = percent
        a.scaleUpPods = pods
        return a
    }

    /// What an autoscaled service cannot have in this version, as (key, reason).
    static func autoscaleConflicts(_ service: Service) -> [(String, String)] {
        var found: [(String, String)] = []
        if service.weights != nil { found.append(("weights", "instances it adds are all alike")) }
        if service.instanceWorkers != nil { found.append(("instanceWorkers", "instances it adds are all alike")) }
        if service.outlierDetection != nil { found.append(("outlierDetection", "its fleet changes size")) }
        if service.healthCheck != nil { found.append(("healthCheck", "its fleet changes size")) }
        if service.balancer.kind == .ringHash { found.append(("balancer", "a ring's points would move as it scales")) }
        return found
    }
}

extension ScenarioDecoder {
    /// A service of kind `sqs`: a message queue and its consumers.
    static func decodeMessageQueue(_ r: ObjectReader, name: String, calls: [String], policy: RetryPolicy) -> Service? {
        let context = r.context
        let consumers = r.integer("consumers", in: 1...100_000, why: "each consumer is a loop of its own")
        let batch = r.integer("batch", in: 1...10, default: 10, why: "SQS returns at most 10 messages per receive")
        let visibility = r.duration("visibilityTimeout", default: .seconds(30))
        let maxReceives: Int?? = r.has("maxReceiveCount")
            ? r.integer("maxReceiveCount", in: 1...1000, why: "SQS's redrive policy allows 1 to 1,000").map { .some($0) } : .some(nil)
        let serviceTime = decodeDistribution(r, "serviceTime", default: .constant(value: .zero))
        let errorRate = r.probability("errorRate", default: 0)
        if let v = visibility, v > .seconds(43_200) {
            context.fail(r.path.appending("visibilityTimeout"), "\(DurationText.format(v)) is over SQS's 12 hours; expected 0 s to 12 h")
            return nil
        }
        var backoff: (SimDuration, SimDuration)?? = .some(nil)
        if let b = r.value("visibilityBackoff") {
            let bpath = r.path.appending("visibilityBackoff")
            if let br = ObjectReader(b, at: bpath, allowed: ScenarioKeys.visibilityBackoff, context: context),
                let base = br.duration("base", positive: true), let max = br.duration("max", default: .seconds(43_200))
            {
                if max < base {
                    context.fail(bpath.appending("max"), "\(DurationText.format(max)) is below base (\(DurationText.format(base))); expected max >= base")
                    backoff = nil
                } else {
                    backoff = .some((base, max))
                }
            } else { backoff = nil }
        }
        guard let consumers, let batch, let visibility, let maxReceives, let serviceTime, let errorRate, let backoff
        else { return nil }
        var config = MessageQueueConfig(consumers: consumers)
        config.batch = batch
        config.visibilityTimeout = visibility
        config.maxReceiveCount = maxReceives
        if let (base, max) = backoff {
            config.backoffBase = base
            config.backoffMax = max
        }
        var service = Service(name: name, kind: .sqs, workers: consumers, queueCapacity: 0, serviceTime: serviceTime, errorRate: errorRate)
        service.calls = calls
        service.callPolicy = policy
        service.messageQueue = config
        return service
    }
}
