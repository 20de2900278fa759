/// A model that reacts to events. Specialised generically (no existential per event).
public protocol EventHandler {
    /// Handles one event; may schedule more on `queue`.
    mutating func handle(_ event: Event, queue: inout EventQueue)
    /// Reads the state that handling `event` will read first, and returns what it read (the loop sums it, so the
    /// reads stay in the program). Called for a batch of upcoming events at once (`EventQueue.warmAhead`): their
    /// reads go to memory side by side instead of one event after another.
    func touch(_ event: Event) -> UInt64
}

extension EventHandler {
    public func touch(_ event: Event) -> UInt64 { 0 }
}

/// The only event loop: pop the earliest event, advance the clock, hand it to the model.
///
/// The loop knows nothing of clients or services (SimPy's schedule / step / run-until shape).
///
/// It owns the queue, so it is not copyable either. The queue is internal: models schedule through the `inout`
/// queue they are handed.
public struct Simulation<Model: EventHandler>: ~Copyable {
    var queue: EventQueue
    public var model: Model
    /// The time of the event being handled, or of the last one handled.
    public private(set) var now: SimTime = .zero
    /// Events popped so far.
    public private(set) var eventsProcessed: Int = 0
    /// The sum of what `EventHandler.touch` read: kept so that the reads are not optimised away.
    public private(set) var touched: UInt64 = 0
    /// The run's events, the unit of "events per second": those popped, and those the model had taken out of the
    /// queue unpopped because they no longer mattered (`EventQueue.makeRoom`) and would have come before the end.
    public var events: Int { eventsProcessed + queue.removedBeforeEnd }

    public init(model: Model, queue: consuming EventQueue) {
        self.model = model
        self.queue = queue
    }

    /// Runs every event with time before `end`. The first event at or after `end` stays queued, so a run can go
    /// on in segments (`run(until: t1)`, look at the model, `run(until: t2)`) with exactly the events of one run.
    /// - Parameters:
    ///   - checkpointEvery: how many events between checkpoints; a power of two.
    ///   - checkpoint: called every `checkpointEvery` events with the current simulated time (for progress
    ///     reports, and to notice a run whose clock stopped: see `InstantWatch`); return true to stop early.
    /// - Returns: false when a checkpoint stopped the run before `end`.
    @discardableResult
    public mutating func run(
        until end: SimTime, checkpointEvery: Int = 65_536, checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> Bool {
        precondition(checkpointEvery > 0 && checkpointEvery & (checkpointEvery - 1) == 0)
        let mask = checkpointEvery - 1
        while let event = queue.popMin() {
            guard event.time < end else {
                queue.push(event)  // unchanged: it keeps its place in the order
                return true
            }
            now = event.time
            eventsProcessed &+= 1
            if queue.needsWarming { touched &+= queue.warmAhead(model) }
            model.handle(event, queue: &queue)
            if eventsProcessed & mask == 0 && checkpoint(now) { return false }
        }
        return true
    }

    /// Lets `body` look at the model and the pending events between two segments of a run.
    public func inspect<R>(_ body: (Model, borrowing EventQueue) -> R) -> R { body(model, queue) }

    /// Handles the next event if it happens at `now` (to watch a stalled run for a while); false when there is
    /// none.
    public mutating func stepAtNow() -> Event? {
        guard let event = queue.popMin() else { return nil }
        guard event.time == now else {
            queue.push(event)  // untouched: it keeps its place in the order
            return nil
        }
        eventsProcessed &+= 1
        model.handle(event, queue: &queue)
        return event
    }
}

/// Notices a run whose simulated time stopped advancing (a zero-time loop), from its checkpoints alone: time never
/// decreases, so the same time at two checkpoints means every event between them happened at that instant. It
/// costs nothing per event.
public struct InstantWatch: Sendable {
    let limit: Int
    let checkpointEvery: Int
    var last = SimTime(nanoseconds: -1)
    var atOneInstant = 0

    /// - Parameter limit: consecutive events at one instant that count as a stall.
    public init(limit: Int, checkpointEvery: Int) {
        self.limit = limit
        self.checkpointEvery = checkpointEvery
    }

    /// Call at every checkpoint; true once at least `limit` events happened at the current instant.
    public mutating func stalled(at now: SimTime) -> Bool {
        if now == last {
            atOneInstant += checkpointEvery
            return atOneInstant >= limit
        }
        last = now
        atOneInstant = 0
        return false
    }
}
