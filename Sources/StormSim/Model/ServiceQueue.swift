/// A service's queue: the attempts waiting for a worker, the discipline that picks the next one (FIFO, LIFO,
/// adaptive LIFO), and the rules that drop an attempt when it reaches the head (a queue timeout, CoDel). Bounded:
/// an attempt that finds it full is refused by the service.
struct ServiceQueue {
    /// Attempt slots waiting for a worker.
    var waiting: RingBuffer<UInt32>
    let capacity: Int
    let discipline: Service.Discipline
    let adaptiveAfter: SimDuration
    let codel: (target: SimDuration, interval: SimDuration)?
    /// An attempt that waited longer than this (ns) is dropped when it reaches the head.
    let timeout: Int64
    /// Adaptive LIFO: since when the queue has been non-empty.
    var nonEmptySince: SimTime? = nil
    /// CoDel: the current interval, its minimum queueing delay so far, and whether the last one was overloaded.
    var codelIntervalStart = SimTime.zero
    var codelMinDelay = Int64.max
    var codelOverloaded = false

    init(_ config: Service) {
        waiting = RingBuffer(initialCapacity: Swift.min(config.queueCapacity, 1024), filler: 0)
        capacity = config.queueCapacity
        discipline = config.discipline
        adaptiveAfter = config.adaptiveAfter
        codel = config.codel
        timeout = config.queueTimeout?.nanoseconds ?? Int64.max
    }

    var count: Int { waiting.count }
    var isFull: Bool { waiting.count >= capacity }

    mutating func enqueue(_ attempt: UInt32, now: SimTime) {
        if waiting.isEmpty { nonEmptySince = now }
        waiting.append(attempt)
    }

    /// The next attempt by the discipline.
    mutating func pop(now: SimTime) -> UInt32? {
        let next: UInt32?
        switch discipline {
        case .fifo: next = waiting.popFirst()
        case .lifo: next = waiting.popLast()
        case .adaptiveLifo:
            let congested = nonEmptySince.map { now - $0 >= adaptiveAfter } ?? false
            next = congested ? waiting.popLast() : waiting.popFirst()
        }
        if waiting.isEmpty { nonEmptySince = nil }
        return next
    }

    /// Whether an attempt that reached the head after waiting `waited` ns is dropped: its deadline passed
    /// (`expired`, when the service drops expired work), it waited past the queue timeout, or CoDel sheds it.
    /// CoDel hears only of attempts the first two rules keep.
    mutating func drops(waited: Int64, expired: Bool, now: SimTime) -> Bool {
        if expired || waited > timeout { return true }
        return codelDrops(waited: waited, now: now)
    }

    /// CoDel's verdict on an attempt that waited `delay` ns.
    mutating func codelDrops(waited delay: Int64, now: SimTime) -> Bool {
        guard let codel else { return false }
        codelMinDelay = Swift.min(codelMinDelay, delay)
        if now - codelIntervalStart >= codel.interval {
            codelOverloaded = codelMinDelay > codel.target.nanoseconds
            codelIntervalStart = now
            codelMinDelay = Int64.max
        }
        return codelOverloaded && delay > 2 * codel.target.nanoseconds
    }
}
